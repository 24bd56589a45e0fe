/**
 * The tenant-isolation suite. Every root field of the schema must have a case here (the first test enumerates
 * the schema, so an operation added later without coverage fails the build). Site A is 米易县 (miyi), site B
 * is 攀枝花市教育局 (edu); the actor is A's site admin unless a case says otherwise. Aiming at B must give
 * FORBIDDEN or NOT_FOUND — and a foreign record must be reported exactly like a missing one.
 */
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateBundle } from '@zhanqun/importers';
import { runImport, startImport, uploadMedia, upsertLegacySite } from '@zhanqun/core';
import { buildSchema, type GraphQLObjectType } from 'graphql';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTypeDefs } from '../src/graphql/schema.ts';
import { codeOf, demo, type GqlResult, reasonOf, startTestApp, type TestApp } from './helpers.ts';
import { solveAltcha } from './interaction-helpers.ts';
import { pdfWith } from './media/fixtures.ts';

let t: TestApp;
let tokenA: string;
let tokenB: string;
const b = {
  columnId: '',
  hiddenColumnId: '',
  membershipId: '',
  editorUserId: '',
  apiTokenId: '',
  refreshToken: '',
  draftId: '',
  publishedId: '',
  otherColumnId: '',
  letterId: '',
  letterCode: '',
  disclosureId: '',
  mediaId: '',
  interviewId: '',
  questionId: '',
  surveyId: '',
  draftSurveyId: '',
  responseId: '',
  webhookId: '',
  webhookDeliveryId: '',
  importRunId: '',
  legacySiteId: '',
};
const A_SITE = 'miyi';
const B_SITE = 'edu';
const PREPARING = 'secretdept';

const denied = (r: GqlResult) => expect(['FORBIDDEN', 'NOT_FOUND']).toContain(codeOf(r));

/** The foreign record and a record that does not exist at all must get the very same answer. */
async function sameAsMissing(query: string, foreign: Record<string, unknown>, missing: Record<string, unknown>) {
  const rf = await t.gql(query, foreign, tokenA);
  const rm = await t.gql(query, missing, tokenA);
  denied(rf);
  expect(rf.errors?.[0]?.extensions).toEqual(rm.errors?.[0]?.extensions);
  expect(rf.errors?.[0]?.message.replace(/[0-9a-f-]{36}/g, 'ID')).toBe(
    rm.errors?.[0]?.message.replace(/[0-9a-f-]{36}/g, 'ID'),
  );
}

beforeAll(async () => {
  t = await startTestApp({ search: true });
  tokenA = await t.tokenFor(demo.admin(A_SITE));
  tokenB = await t.tokenFor(demo.admin(B_SITE));
  const root = await t.gql(
    `{ site(code: "${B_SITE}") { columns { id code } members { id user { id email } } } }`,
    {},
    tokenB,
  );
  expect(root.errors).toBeUndefined();
  b.columnId = root.data!.site.columns.find((c: { code: string }) => c.code === 'tzgg').id;
  const bEditor = root.data!.site.members.find(
    (m: { user: { email: string } }) => m.user.email === demo.editor(B_SITE),
  );
  b.membershipId = bEditor.id;
  b.editorUserId = bEditor.user.id;
  const hidden = await t.gql(
    `mutation { createColumn(input: { site: "${B_SITE}", code: "internal", name: "内部栏目", visible: false }) { id } }`,
    {},
    tokenB,
  );
  b.hiddenColumnId = hidden.data!.createColumn.id;
  const tok = await t.gql(
    `mutation($e: DateTime!) { createApiToken(input: { site: "${B_SITE}", name: "theme", scopes: [READ_PUBLISHED], expiresAt: $e }) { apiToken { id } } }`,
    { e: new Date(Date.now() + 86_400_000).toISOString() },
    tokenB,
  );
  b.apiTokenId = tok.data!.createApiToken.apiToken.id;
  const session = await t.gql(
    'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { refreshToken } }',
    { e: demo.editor(B_SITE), p: 'Zhanqun#Demo2026' },
  );
  b.refreshToken = session.data!.login.refreshToken;
  // B's content: a draft and a published item (three signers of B).
  const bt = {
    editor: await t.tokenFor(demo.editor(B_SITE)),
    reviewer: await t.tokenFor(demo.reviewer(B_SITE)),
    approver: await t.tokenFor(demo.approver(B_SITE)),
  };
  const mk = async (title: string) =>
    (
      await t.gql(
        `mutation { createItem(input: { site: "${B_SITE}", column: "/tzgg", kind: "NOTICE", title: "${title}", body: "<p>内容</p>", source: "教育局" }) { id } }`,
        {},
        bt.editor,
      )
    ).data!.createItem.id as string;
  b.draftId = await mk('教育局内部草稿');
  b.publishedId = await mk('教育局公开通知');
  const id = { id: b.publishedId };
  await t.gql('mutation($id: ID!) { submitItem(id: $id) { state } }', id, bt.editor);
  for (const who of [bt.editor, bt.reviewer, bt.approver])
    await t.gql('mutation($id: ID!) { signOff(input: { id: $id }) { state } }', id, who);
  const gzdt = root.data!.site.columns.find((c: { code: string }) => c.code === 'gzdt');
  b.otherColumnId = gzdt.id;
  await t.syncSearch();
  const admin = await t.tokenFor(demo.platformAdmin);
  const prep = await t.gql(
    `mutation { provisionSite(input: { code: "${PREPARING}", name: "攀枝花市保密局", kind: "DEPARTMENT", parentCode: "panzhihua",
      siteIdCode: "5104009999", organisation: { name: "攀枝花市保密局", code: "115104000088510070" },
      domains: ["secret.localhost"], admin: { email: "${demo.admin(B_SITE)}" } }) { code status } }`,
    {},
    admin,
  );
  expect(prep.data?.provisionSite.status).toBe('PREPARING');
  const regional = await t.gql(
    `mutation { setWorkdayExceptions(input: { year: 2024, site: "${B_SITE}", source: "test",
      days: [{ date: "2024-07-29", off: true, name: "地方假日" }] }) { site } }`,
    {},
    tokenB,
  );
  expect(regional.data?.setWorkdayExceptions).toEqual([{ site: B_SITE }]);
  // B's letter (a citizen's, to 局长信箱), accepted by B's interaction handler.
  const letter = await t.gql('mutation($i: SubmitLetterInput!) { submitLetter(input: $i) { trackingCode } }', {
    i: {
      site: B_SITE,
      subject: '关于学区划分的咨询',
      body: '请问今年的学区划分何时公布？',
      contact: { name: '李四', phone: '13912345678' },
      mayPublish: false,
      altcha: await solveAltcha(t),
    },
  });
  b.letterCode = letter.data!.submitLetter.trackingCode;
  const handlerB = await t.tokenFor(demo.handler(B_SITE));
  const list = await t.gql(`{ letters(site: "${B_SITE}") { edges { node { id } } } }`, {}, handlerB);
  b.letterId = list.data!.letters.edges[0].node.id;
  await t.gql('mutation($id: ID!) { acceptLetter(id: $id) { id } }', { id: b.letterId }, handlerB);
  const request = await t.gql(
    `mutation { registerDisclosureRequest(input: { site: "${B_SITE}", applicant: { name: "王五", phone: "13800001111" },
      description: "学区划分文件", deliveryForm: PAPER, channel: IN_PERSON, submittedOn: "2026-09-25" }) { id } }`,
    {},
    handlerB,
  );
  b.disclosureId = request.data!.registerDisclosureRequest.id;
  // B's media: a file in B's library (uploaded through the same use case as POST /media).
  const pdf = join(tmpdir(), `zq-iso-${randomUUID()}.pdf`);
  writeFileSync(pdf, pdfWith('edu only'));
  const bytes = readFileSync(pdf);
  const media = await uploadMedia(
    t.platform.systemCtx('test:isolation'),
    { site: B_SITE, title: '教育局附件' },
    { path: pdf, name: '附件.pdf', size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') },
  );
  b.mediaId = media.id;
  // B's interview (not announced: not public), with a question; B's open survey with a response, and a draft.
  const iv = await t.gql(
    `mutation { createInterview(input: { site: "${B_SITE}", topic: "教育局在线访谈", description: "说明",
      guests: [{ name: "钱局长" }], startsAt: "2026-12-01T02:00:00Z" }) { id } }`,
    {},
    handlerB,
  );
  b.interviewId = iv.data!.createInterview.id;
  const survey = async (title: string) =>
    (
      await t.gql(
        `mutation($o: DateTime!, $c: DateTime!) { createSurvey(input: { site: "${B_SITE}", kind: SURVEY, title: "${title}",
          description: "说明", concern: "学区划分", opensAt: $o, closesAt: $c,
          questions: [{ kind: SINGLE, text: "是否赞成", options: ["是", "否"] }] }) { id } }`,
        { o: new Date(Date.now() - 86_400_000).toISOString(), c: new Date(Date.now() + 30 * 86_400_000).toISOString() },
        handlerB,
      )
    ).data!.createSurvey.id as string;
  b.surveyId = await survey('学区划分调查');
  b.draftSurveyId = await survey('教育局内部草稿调查');
  await t.gql('mutation($id: ID!) { openSurvey(id: $id) { id } }', { id: b.surveyId }, handlerB);
  const owner = new pg.Client({ connectionString: t.db.ownerUrl });
  await owner.connect();
  try {
    const [bId] = (await owner.query('select id from site where code = $1', [B_SITE])).rows.map((r) => r.id);
    b.questionId = randomUUID();
    await owner.query(
      `insert into interview_question (id, site_id, interview_id, body, asker, phase, status, asked_at)
       values ($1, $2, $3, '问题', '{"name": "赵六", "phone": "13800002222", "email": null}', 'BEFORE', 'PENDING', now())`,
      [b.questionId, bId, b.interviewId],
    );
    b.responseId = randomUUID();
    await owner.query(
      `insert into survey_response (id, site_id, survey_id, answers, voter_hash, text_status, submitted_at)
       values ($1, $2, $3, '[{"questionId": "q1", "choices": [], "text": "意见"}]', 'h', 'PENDING', now())`,
      [b.responseId, bId, b.surveyId],
    );
  } finally {
    await owner.end();
  }
  // B's webhook endpoint, with one logged delivery (written as the worker would, by the owner here).
  const hook = await t.gql(
    `mutation { createWebhookEndpoint(input: { site: "${B_SITE}", url: "https://hooks.example.org/edu", events: ["item.published"] }) { endpoint { id } } }`,
    {},
    tokenB,
  );
  b.webhookId = hook.data!.createWebhookEndpoint.endpoint.id;
  b.webhookDeliveryId = randomUUID();
  const hookOwner = new pg.Client({ connectionString: t.db.ownerUrl });
  await hookOwner.connect();
  const eventId = randomUUID();
  await hookOwner.query(
    `insert into webhook_event (id, site_id, type, payload, created_at, dispatched_at)
     select $1, site_id, 'item.published', '{}', now(), now() from webhook_endpoint where id = $2`,
    [eventId, b.webhookId],
  );
  await hookOwner.query(
    `insert into webhook_delivery (id, site_id, endpoint_id, event_id, event_type, attempt, status, response_status, duration_ms, created_at)
     select $1, site_id, id, $3, 'item.published', 1, 'SUCCEEDED', 200, 5, now() from webhook_endpoint where id = $2`,
    [b.webhookDeliveryId, b.webhookId, eventId],
  );
  await hookOwner.end();
  // B's import (issue 11): a run waiting for review, its staged records, and a row of its legacy-site register.
  const sys = t.platform.systemCtx('test:isolation');
  const bundle = join(tmpdir(), `zq-iso-bundle-${randomUUID()}`);
  await generateBundle(bundle, { items: 0 }); // its columns only: B's item lists stay as the other cases expect
  const run = await startImport(sys, { site: B_SITE, source: [bundle], label: '教育局旧站' });
  await runImport(sys, run.id);
  b.importRunId = run.id;
  b.legacySiteId = (
    await upsertLegacySite(sys, { site: B_SITE, name: '教育局旧站', oldHosts: ['old.edu.example.cn'] })
  ).id;
  // The set-up publishes, provisions and uploads: give it room on a busy machine.
}, 180_000);

afterAll(async () => {
  await t?.close();
});

const cases: Record<string, () => Promise<void>> = {
  // Imports (issue 11): B's runs, their sign-offs and B's register are reported exactly like missing ones.
  'Query.importRun': async () => {
    const q = 'query($id: ID!) { importRun(id: $id) { id } }';
    const foreign = await t.gql(q, { id: b.importRunId }, tokenA);
    expect(foreign).toEqual(await t.gql(q, { id: randomUUID() }, tokenA));
    expect(foreign.data).toEqual({ importRun: null });
    const own = await t.gql(q, { id: b.importRunId }, tokenB);
    expect(own.data!.importRun.id).toBe(b.importRunId);
  },
  'Query.importRuns': () =>
    sameAsMissing('query($s: String!) { importRuns(site: $s) { id } }', { s: B_SITE }, { s: 'nosuchsite' }),
  'Query.legacySites': () =>
    sameAsMissing('query($s: String!) { legacySites(site: $s) { id } }', { s: B_SITE }, { s: 'nosuchsite' }),
  'Mutation.startImport': () =>
    sameAsMissing(
      'mutation($s: String!) { startImport(input: { site: $s, source: ["x"] }) { id } }',
      { s: B_SITE },
      { s: 'nosuchsite' },
    ),
  'Mutation.commitImport': () =>
    sameAsMissing('mutation($id: ID!) { commitImport(id: $id) { id } }', { id: b.importRunId }, { id: randomUUID() }),
  'Mutation.cancelImport': () =>
    sameAsMissing('mutation($id: ID!) { cancelImport(id: $id) { id } }', { id: b.importRunId }, { id: randomUUID() }),
  'Mutation.signImportRun': async () => {
    // A's approver cannot sign B's run, whatever the level.
    const q = 'mutation($id: ID!) { signImportRun(input: { id: $id, level: 1 }) { id } }';
    const approverA = await t.tokenFor(demo.approver(A_SITE));
    const foreign = await t.gql(q, { id: b.importRunId }, approverA);
    expect(foreign.errors?.[0]?.extensions).toEqual(
      (await t.gql(q, { id: randomUUID() }, approverA)).errors?.[0]?.extensions,
    );
    expect(codeOf(foreign)).toBe('NOT_FOUND');
    await sameAsMissing(q, { id: b.importRunId }, { id: randomUUID() });
  },
  'Mutation.upsertLegacySite': async () => {
    await sameAsMissing(
      'mutation($s: String!, $id: ID) { upsertLegacySite(input: { site: $s, id: $id, name: "篡改" }) { id } }',
      { s: B_SITE, id: b.legacySiteId },
      { s: 'nosuchsite', id: b.legacySiteId },
    );
    // Naming B's entry under A's own site finds nothing either.
    const r = await t.gql(
      'mutation($id: ID!) { upsertLegacySite(input: { site: "miyi", id: $id, name: "篡改" }) { id } }',
      { id: b.legacySiteId },
      tokenA,
    );
    expect(codeOf(r)).toBe('NOT_FOUND');
  },
  // Media (issue 8): B's files are reported exactly like files that do not exist.
  'Query.media': () =>
    sameAsMissing('query($id: ID!) { media(id: $id) { id } }', { id: b.mediaId }, { id: randomUUID() }),
  'Query.mediaLibrary': () =>
    sameAsMissing(
      'query($s: String!) { mediaLibrary(site: $s) { edges { node { id } } } }',
      { s: B_SITE },
      { s: 'nosuchsite' },
    ),
  'Mutation.updateMedia': () =>
    sameAsMissing(
      'mutation($id: ID!) { updateMedia(input: { id: $id, alt: "x" }) { id } }',
      { id: b.mediaId },
      { id: randomUUID() },
    ),
  'Mutation.deleteMedia': () =>
    sameAsMissing('mutation($id: ID!) { deleteMedia(id: $id) { id } }', { id: b.mediaId }, { id: randomUUID() }),
  'Query.me': async () => {
    const r = await t.gql('{ me { memberships { site { code } } } }', {}, tokenA);
    expect(r.data!.me.memberships.map((m: { site: { code: string } }) => m.site.code)).toEqual([A_SITE]);
  },
  'Query.site': async () => {
    const r = await t.gql(
      `{ site(code: "${B_SITE}") { code columns { id children { id } } members { id } apiTokens { id } } }`,
      {},
      tokenA,
    );
    // B is online, so its public face is readable; its people, tokens and hidden columns are not.
    expect(r.data!.site.code).toBe(B_SITE);
    const ids = JSON.stringify(r.data!.site.columns);
    expect(ids).not.toContain(b.hiddenColumnId);
    expect(r.errors?.map((e) => [e.path?.join('.'), e.extensions.code])).toEqual([
      ['site.members', 'FORBIDDEN'],
      ['site.apiTokens', 'FORBIDDEN'],
    ]);
    const prep = await t.gql(`{ site(code: "${PREPARING}") { code } }`, {}, tokenA);
    const none = await t.gql('{ site(code: "nosuchsite") { code } }', {}, tokenA);
    expect(prep.data).toEqual({ site: null });
    expect(prep).toEqual(none);
  },
  'Query.sites': async () => {
    const r = await t.gql('{ sites(first: 100) { edges { node { code members { id } } } } }', {}, tokenA);
    const codes = r.data!.sites.edges.map((e: { node: { code: string } }) => e.node.code);
    expect(codes).toContain(B_SITE);
    expect(codes).not.toContain(PREPARING);
    const forbiddenPaths = (r.errors ?? []).filter((e) => e.extensions.code === 'FORBIDDEN').length;
    expect(forbiddenPaths).toBe(codes.length - 1); // every site but A's own
  },
  'Query.auditLog': () =>
    sameAsMissing(
      'query($s: String) { auditLog(site: $s) { edges { node { seq } } } }',
      { s: B_SITE },
      { s: 'nosuchsite' },
    ),
  'Query.verifyAuditChain': () =>
    sameAsMissing('query($s: String) { verifyAuditChain(site: $s) { ok } }', { s: B_SITE }, { s: 'nosuchsite' }),
  'Query.workdayCalendar': async () => {
    // Regional rows of an online site are public: A sees exactly what anyone sees, no more.
    const query = 'query($s: String) { workdayCalendar(year: 2024, site: $s) { exceptions { date off site } } }';
    const asA = await t.gql(query, { s: B_SITE }, tokenA);
    expect(asA).toEqual(await t.gql(query, { s: B_SITE }));
    expect(asA.data!.workdayCalendar.exceptions).toContainEqual({ date: '2024-07-29', off: true, site: B_SITE });
    // A site that is not public yet has no public calendar: it is reported like a missing one.
    await sameAsMissing(query, { s: PREPARING }, { s: 'nosuchsite' });
  },
  'Query.addWorkdays': async () => {
    const query = 'query($s: String) { addWorkdays(date: "2024-07-26", days: 1, site: $s) }';
    const asA = await t.gql(query, { s: B_SITE }, tokenA);
    expect(asA).toEqual(await t.gql(query, { s: B_SITE }));
    expect(asA.data).toEqual({ addWorkdays: '2024-07-30' }); // B's regional day off applies to B
    expect((await t.gql(query, { s: A_SITE }, tokenA)).data).toEqual({ addWorkdays: '2024-07-29' });
    await sameAsMissing(query, { s: PREPARING }, { s: 'nosuchsite' });
  },
  'Mutation.setWorkdayExceptions': async () => {
    const query = `mutation($s: String) { setWorkdayExceptions(input: { year: 2024, site: $s, source: "x",
      days: [{ date: "2024-07-30", off: true, name: "x" }] }) { date } }`;
    await sameAsMissing(query, { s: B_SITE }, { s: 'nosuchsite' });
    denied(await t.gql(query, { s: null }, tokenA)); // nor the national rows, which every site uses
  },
  'Mutation.login': async () => {
    // Not site-targeted: a log-in yields exactly the caller's own reach (checked through the token it returns).
    const r = await t.gql('{ sites(first: 100) { edges { node { code apiTokens { id } } } } }', {}, tokenA);
    const denied = new Set((r.errors ?? []).map((e) => Number(e.path?.[2])));
    const edges: { node: { code: string } }[] = r.data!.sites.edges;
    expect(edges.filter((_, i) => !denied.has(i)).map((e) => e.node.code)).toEqual([A_SITE]);
  },
  'Mutation.refreshSession': async () => {
    // Not site-targeted: it acts on the presented secret only; a made-up one is refused like a spent one.
    const r = await t.gql('mutation { refreshSession(refreshToken: "zqr_made_up") { accessToken } }', {}, tokenA);
    expect(codeOf(r)).toBe('UNAUTHENTICATED');
  },
  'Mutation.logout': async () => {
    const r = await t.gql('mutation { logout(refreshToken: "zqr_made_up") }', {}, tokenA);
    expect(r.data).toEqual({ logout: true });
    const still = await t.gql('mutation($r: String!) { refreshSession(refreshToken: $r) { refreshToken } }', {
      r: b.refreshToken,
    });
    expect(codeOf(still)).toBe('OK');
  },
  'Mutation.provisionSite': async () => {
    const r = await t.gql(
      `mutation { provisionSite(input: { code: "intruder", name: "攀枝花市某局", kind: "DEPARTMENT", parentCode: "panzhihua",
        siteIdCode: "5104008888", organisation: { name: "攀枝花市某局", code: "115104000088510083" },
        domains: ["intruder.localhost"], admin: { email: "x@y.cn", name: "X", password: "Xx-1234567890" } }) { code } }`,
      {},
      tokenA,
    );
    denied(r);
  },
  'Mutation.updateSite': () =>
    sameAsMissing(
      'mutation($c: String!) { updateSite(input: { code: $c, name: "改名了" }) { code } }',
      { c: B_SITE },
      { c: 'nosuchsite' },
    ),
  'Mutation.setSiteStatus': () =>
    sameAsMissing(
      'mutation($c: String!) { setSiteStatus(code: $c, status: CLOSING) { code } }',
      { c: B_SITE },
      { c: 'nosuchsite' },
    ),
  'Mutation.takeSiteDown': () =>
    sameAsMissing(
      'mutation($c: String!) { takeSiteDown(code: $c, reason: "无保障能力", notice: "本站已关停") { code } }',
      { c: B_SITE },
      { c: 'nosuchsite' },
    ),
  'Mutation.createColumn': () =>
    sameAsMissing(
      'mutation($s: String!) { createColumn(input: { site: $s, code: "x", name: "X" }) { id } }',
      { s: B_SITE },
      { s: 'nosuchsite' },
    ),
  'Mutation.updateColumn': () =>
    sameAsMissing(
      'mutation($id: ID!) { updateColumn(input: { id: $id, name: "X" }) { id } }',
      { id: b.columnId },
      { id: randomUUID() },
    ),
  'Mutation.moveColumn': async () => {
    await sameAsMissing(
      'mutation($id: ID!) { moveColumn(input: { id: $id, position: 0 }) { id } }',
      { id: b.columnId },
      { id: randomUUID() },
    );
    // Nor can A hang its own column under B's.
    const own = await t.gql(
      `mutation { createColumn(input: { site: "${A_SITE}", code: "mine", name: "我的" }) { id } }`,
      {},
      tokenA,
    );
    await sameAsMissing(
      'mutation($id: ID!, $p: ID) { moveColumn(input: { id: $id, parentId: $p, position: 0 }) { id } }',
      { id: own.data!.createColumn.id, p: b.columnId },
      { id: own.data!.createColumn.id, p: randomUUID() },
    );
  },
  'Mutation.deleteColumn': () =>
    sameAsMissing('mutation($id: ID!) { deleteColumn(id: $id) }', { id: b.hiddenColumnId }, { id: randomUUID() }),
  'Mutation.changePassword': async () => {
    // Not site-targeted: it acts on the caller's own account only, and needs the caller's current password.
    const r = await t.gql(
      'mutation { changePassword(input: { currentPassword: "Zhanqun#Demo2026-wrong", newPassword: "Hijack#Pass2027" }) { accessToken } }',
      {},
      tokenA,
    );
    expect(reasonOf(r)).toBe('INVALID_CREDENTIALS');
    expect(codeOf(await t.gql('{ me { user { email } } }', {}, tokenB))).toBe('OK');
  },
  'Mutation.resetPassword': async () => {
    const query = `mutation($u: ID!, $s: String) { resetPassword(input: { userId: $u, newPassword: "Hijack#Pass2027", site: $s }) { id } }`;
    // B's member, through A's site or through B's: the same answer as a user that does not exist.
    await sameAsMissing(query, { u: b.editorUserId, s: A_SITE }, { u: randomUUID(), s: A_SITE });
    await sameAsMissing(query, { u: b.editorUserId, s: B_SITE }, { u: b.editorUserId, s: 'nosuchsite' });
  },
  'Mutation.setUserDisabled': async () => {
    const query = `mutation($u: ID!, $s: String) { setUserDisabled(input: { userId: $u, disabled: true, site: $s }) { id } }`;
    await sameAsMissing(query, { u: b.editorUserId, s: A_SITE }, { u: randomUUID(), s: A_SITE });
    await sameAsMissing(query, { u: b.editorUserId, s: B_SITE }, { u: b.editorUserId, s: 'nosuchsite' });
  },
  'Mutation.createUser': () =>
    sameAsMissing(
      'mutation($s: String) { createUser(input: { email: "new@x.cn", name: "N", password: "Abcdefg-12345", site: $s }) { id } }',
      { s: B_SITE },
      { s: 'nosuchsite' },
    ),
  'Mutation.addMember': async () => {
    await sameAsMissing(
      'mutation($s: String!) { addMember(input: { site: $s, email: "editor@miyi.zhanqun.local", roles: [VIEWER] }) { id } }',
      { s: B_SITE },
      { s: 'nosuchsite' },
    );
    await sameAsMissing(
      'mutation($c: ID) { addMember(input: { site: "miyi", email: "approver@panzhihua.zhanqun.local", roles: [EDITOR], columnId: $c }) { id } }',
      { c: b.columnId },
      { c: randomUUID() },
    );
  },
  'Mutation.updateMember': () =>
    sameAsMissing(
      'mutation($id: ID!) { updateMember(input: { id: $id, roles: [SITE_ADMIN] }) { id } }',
      { id: b.membershipId },
      { id: randomUUID() },
    ),
  'Mutation.removeMember': () =>
    sameAsMissing('mutation($id: ID!) { removeMember(id: $id) }', { id: b.membershipId }, { id: randomUUID() }),
  'Mutation.createApiToken': () =>
    sameAsMissing(
      'mutation($s: String!) { createApiToken(input: { site: $s, name: "x", scopes: [READ_PUBLISHED], expiresAt: "2099-01-01T00:00:00Z" }) { token } }',
      { s: B_SITE },
      { s: 'nosuchsite' },
    ),
  'Query.item': async () => {
    const draft = await t.gql('query($id: ID!) { item(id: $id) { id } }', { id: b.draftId }, tokenA);
    const none = await t.gql('query($id: ID!) { item(id: $id) { id } }', { id: randomUUID() }, tokenA);
    expect(draft).toEqual(none);
    expect(draft.data).toEqual({ item: null });
    // B's published item is public: readable, but without B's workflow.
    const pub = await t.gql(
      'query($id: ID!) { item(id: $id) { state signOffs { level } headRevision } }',
      { id: b.publishedId },
      tokenA,
    );
    expect(pub.data!.item).toEqual({ state: 'PUBLISHED', signOffs: [], headRevision: null });
  },
  'Query.items': async () => {
    const drafts = await t.gql(`{ items(site: "${B_SITE}", state: DRAFT) { edges { node { id } } } }`, {}, tokenA);
    expect(drafts.data!.items.edges).toEqual([]);
    const all = await t.gql(`{ items(site: "${B_SITE}") { edges { node { id state } } } }`, {}, tokenA);
    expect(all.data!.items.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([b.publishedId]);
  },
  'Query.reviewQueue': () =>
    sameAsMissing('query($s: String!) { reviewQueue(site: $s) { level } }', { s: B_SITE }, { s: 'nosuchsite' }),
  'Query.itemRevisions': () =>
    sameAsMissing('query($id: ID!) { itemRevisions(id: $id) { number } }', { id: b.publishedId }, { id: randomUUID() }),
  'Query.itemRevisionDiff': () =>
    sameAsMissing(
      'query($id: ID!) { itemRevisionDiff(id: $id, from: 1, to: 1) { from } }',
      { id: b.draftId },
      { id: randomUUID() },
    ),
  'Query.overdueItems': () =>
    sameAsMissing('query($s: String!) { overdueItems(site: $s) { id } }', { s: B_SITE }, { s: 'nosuchsite' }),
  'Query.timelinessReport': () =>
    sameAsMissing(
      'query($s: String!) { timelinessReport(site: $s, from: "2024-01-01", to: "2024-12-31") { total } }',
      { s: B_SITE },
      { s: 'nosuchsite' },
    ),
  'Query.policiesWithoutInterpretation': () =>
    sameAsMissing(
      'query($s: String!) { policiesWithoutInterpretation(site: $s) { id } }',
      { s: B_SITE },
      { s: 'nosuchsite' },
    ),
  'Mutation.createItem': () =>
    sameAsMissing(
      'mutation($s: String!) { createItem(input: { site: $s, column: "/tzgg", kind: "NOTICE", title: "x" }) { id } }',
      { s: B_SITE },
      { s: 'nosuchsite' },
    ),
  'Mutation.updateItem': () =>
    sameAsMissing(
      'mutation($id: ID!) { updateItem(input: { id: $id, title: "篡改" }) { id } }',
      { id: b.publishedId },
      { id: randomUUID() },
    ),
  'Mutation.restoreRevision': () =>
    sameAsMissing(
      'mutation($id: ID!) { restoreRevision(id: $id, revision: 1) { id } }',
      { id: b.draftId },
      { id: randomUUID() },
    ),
  'Mutation.submitItem': () =>
    sameAsMissing('mutation($id: ID!) { submitItem(id: $id) { id } }', { id: b.draftId }, { id: randomUUID() }),
  'Mutation.signOff': () =>
    sameAsMissing('mutation($id: ID!) { signOff(input: { id: $id }) { id } }', { id: b.draftId }, { id: randomUUID() }),
  'Mutation.rejectItem': () =>
    sameAsMissing(
      'mutation($id: ID!) { rejectItem(id: $id, opinion: "x") { id } }',
      { id: b.draftId },
      { id: randomUUID() },
    ),
  'Mutation.withdrawItem': () =>
    sameAsMissing(
      'mutation($id: ID!) { withdrawItem(id: $id, reason: "x") { id } }',
      { id: b.publishedId },
      { id: randomUUID() },
    ),
  'Mutation.mergeColumn': async () => {
    await sameAsMissing(
      'mutation($id: ID!, $into: ID!) { mergeColumn(id: $id, into: $into) { id } }',
      { id: b.hiddenColumnId, into: b.otherColumnId },
      { id: randomUUID(), into: randomUUID() },
    );
    const own = await t.gql(
      `mutation { createColumn(input: { site: "${A_SITE}", code: "tomerge", name: "待合并" }) { id } }`,
      {},
      tokenA,
    );
    await sameAsMissing(
      'mutation($id: ID!, $into: ID!) { mergeColumn(id: $id, into: $into) { id } }',
      { id: own.data!.createColumn.id, into: b.otherColumnId },
      { id: own.data!.createColumn.id, into: randomUUID() },
    );
  },
  'Mutation.closeColumn': () =>
    sameAsMissing('mutation($id: ID!) { closeColumn(id: $id) { id } }', { id: b.otherColumnId }, { id: randomUUID() }),
  'Query.search': async () => {
    const q =
      'query($s: String!, $q: String!) { search(query: $q, site: $s, scope: CLUSTER) { edges { node { id } } } }';
    const fromA = await t.gql(q, { s: A_SITE, q: '教育局' }, tokenA);
    expect(fromA.data!.search.edges).toEqual([]);
    const inB = await t.gql(q, { s: B_SITE, q: '' }, tokenA);
    expect(inB.data!.search.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([b.publishedId]);
  },
  'Query.searchKey': async () => {
    const { Meilisearch } = await import('meilisearch');
    const key = (await t.gql(`{ searchKey(site: "${A_SITE}") { token host indexUid } }`, {}, tokenA)).data!.searchKey;
    const [bSite] = await t.platform.orm.em
      .fork()
      .execute<{ id: string }[]>("select id from zq_site_directory() where code = 'edu'");
    const filter = `siteId = "${bSite!.id}" OR kind = "NOTICE"`;
    // Control: without the token's rule this filter reaches B's published notice.
    const master = await t.platform.meili.index(key.indexUid).search('', { filter });
    expect(master.hits.map((h) => h.id)).toEqual([b.publishedId]);
    const meili = new Meilisearch({ host: key.host, apiKey: key.token });
    const res = await meili.index(key.indexUid).search('', { filter });
    expect(res.hits).toEqual([]);
  },
  'Query.searchDrafts': () =>
    sameAsMissing(
      'query($s: String!) { searchDrafts(site: $s, query: "草稿") { id } }',
      { s: B_SITE },
      { s: 'nosuchsite' },
    ),
  'Mutation.reindexSearch': async () => {
    expect(codeOf(await t.gql('mutation { reindexSearch { documents } }', {}, tokenA))).toBe('FORBIDDEN');
  },
  'Mutation.revokeApiToken': () =>
    sameAsMissing('mutation($id: ID!) { revokeApiToken(id: $id) { id } }', { id: b.apiTokenId }, { id: randomUUID() }),
  // Interaction (2015 §4): B's mailbox is public, B's letters are not.
  'Query.altchaChallenge': async () => {
    // Not site-targeted: a signed challenge, the same for anyone.
    const r = await t.gql('{ altchaChallenge }', {}, tokenA);
    expect(r.data!.altchaChallenge.signature).toMatch(/^[0-9a-f]{64}$/);
  },
  'Query.mailboxes': async () => {
    const query = 'query($s: String!) { mailboxes(site: $s) { id name maintainerName } }';
    const asA = await t.gql(query, { s: B_SITE }, tokenA);
    expect(asA).toEqual(await t.gql(query, { s: B_SITE }));
    expect(asA.data!.mailboxes).toHaveLength(1);
    await sameAsMissing(query, { s: PREPARING }, { s: 'nosuchsite' });
  },
  'Query.followLetter': () =>
    // Without B's secret the tracking code of B's letter is worth exactly as much as a made-up one.
    sameAsMissing(
      'query($c: String!) { followLetter(trackingCode: $c, secret: "guess") { status } }',
      { c: b.letterCode },
      { c: 'AAAA-BBBB-CCCC' },
    ),
  'Query.letters': () =>
    sameAsMissing(
      'query($s: String!) { letters(site: $s) { edges { node { id } } } }',
      { s: B_SITE },
      { s: 'nosuchsite' },
    ),
  'Query.letter': () =>
    sameAsMissing(
      'query($id: ID!) { letter(id: $id) { id contact { name } } }',
      { id: b.letterId },
      { id: randomUUID() },
    ),
  'Query.letterStats': () =>
    sameAsMissing(
      'query($s: String!) { letterStats(site: $s, from: "2026-01-01", to: "2026-12-31") { received } }',
      { s: B_SITE },
      { s: 'nosuchsite' },
    ),
  'Mutation.submitLetter': async () => {
    // A public write: anyone may write to B's mailbox (that is its point), never to a site that is not public.
    await sameAsMissing(
      `mutation($s: String!) { submitLetter(input: { site: $s, subject: "x", body: "x", contact: { name: "x", phone: "12345" },
        mayPublish: false, altcha: "x" }) { trackingCode } }`,
      { s: PREPARING },
      { s: 'nosuchsite' },
    );
  },
  'Mutation.createMailbox': () =>
    sameAsMissing(
      `mutation($s: String!) { createMailbox(input: { site: $s, name: "书记信箱", maintainer: "${demo.admin(B_SITE)}" }) { id } }`,
      { s: B_SITE },
      { s: 'nosuchsite' },
    ),
  'Mutation.acceptLetter': () =>
    sameAsMissing('mutation($id: ID!) { acceptLetter(id: $id) { id } }', { id: b.letterId }, { id: randomUUID() }),
  'Mutation.markLetterInvalid': () =>
    sameAsMissing(
      'mutation($id: ID!) { markLetterInvalid(id: $id, reason: "x") { id } }',
      { id: b.letterId },
      { id: randomUUID() },
    ),
  'Mutation.assignLetter': () =>
    sameAsMissing(
      `mutation($id: ID!) { assignLetter(id: $id, handler: "${demo.admin(A_SITE)}") { id } }`,
      { id: b.letterId },
      { id: randomUUID() },
    ),
  'Mutation.extendLetter': () =>
    sameAsMissing(
      'mutation($id: ID!) { extendLetter(id: $id, reason: "x") { id } }',
      { id: b.letterId },
      { id: randomUUID() },
    ),
  'Mutation.transferLetter': () =>
    sameAsMissing(
      `mutation($id: ID!) { transferLetter(input: { id: $id, toSite: "${A_SITE}", reason: "x" }) { id } }`,
      { id: b.letterId },
      { id: randomUUID() },
    ),
  'Mutation.replyToLetter': () =>
    sameAsMissing(
      'mutation($id: ID!) { replyToLetter(id: $id, reply: "x", answeringBody: "x") { id } }',
      { id: b.letterId },
      { id: randomUUID() },
    ),
  'Mutation.closeLetterUnhandleable': () =>
    sameAsMissing(
      'mutation($id: ID!) { closeLetterUnhandleable(id: $id, explanation: "x") { id } }',
      { id: b.letterId },
      { id: randomUUID() },
    ),
  'Mutation.draftLetterReply': () =>
    sameAsMissing('mutation($id: ID!) { draftLetterReply(id: $id) { id } }', { id: b.letterId }, { id: randomUUID() }),
  // 依申请公开: B's requests and figures are B's alone.
  'Query.disclosureRequests': () =>
    sameAsMissing(
      'query($s: String!) { disclosureRequests(site: $s) { edges { node { id } } } }',
      { s: B_SITE },
      { s: 'nosuchsite' },
    ),
  'Query.disclosureYearReport': () =>
    sameAsMissing(
      'query($s: String!) { disclosureYearReport(site: $s, year: 2026) { received } }',
      { s: B_SITE },
      { s: 'nosuchsite' },
    ),
  'Mutation.submitDisclosureRequest': () =>
    sameAsMissing(
      `mutation($s: String!) { submitDisclosureRequest(input: { site: $s, applicant: { name: "x", phone: "12345" },
        description: "x", deliveryForm: PAPER, altcha: "x" }) { trackingCode } }`,
      { s: PREPARING },
      { s: 'nosuchsite' },
    ),
  'Mutation.registerDisclosureRequest': () =>
    sameAsMissing(
      `mutation($s: String!) { registerDisclosureRequest(input: { site: $s, applicant: { name: "x" }, description: "x",
        deliveryForm: PAPER, channel: IN_PERSON, submittedOn: "2026-09-25" }) { id } }`,
      { s: B_SITE },
      { s: 'nosuchsite' },
    ),
  'Mutation.requestDisclosureCorrection': () =>
    sameAsMissing(
      'mutation($id: ID!) { requestDisclosureCorrection(id: $id, note: "x") { id } }',
      { id: b.disclosureId },
      { id: randomUUID() },
    ),
  'Mutation.recordDisclosureCorrection': () =>
    sameAsMissing(
      'mutation($id: ID!) { recordDisclosureCorrection(id: $id, correctedOn: "2026-10-09") { id } }',
      { id: b.disclosureId },
      { id: randomUUID() },
    ),
  'Mutation.extendDisclosureRequest': () =>
    sameAsMissing(
      'mutation($id: ID!) { extendDisclosureRequest(id: $id, approver: "x", reason: "x") { id } }',
      { id: b.disclosureId },
      { id: randomUUID() },
    ),
  'Mutation.recordThirdPartyConsultation': () =>
    sameAsMissing(
      'mutation($id: ID!) { recordThirdPartyConsultation(input: { id: $id, from: "2026-10-12", to: "2026-10-13", party: "x" }) { id } }',
      { id: b.disclosureId },
      { id: randomUUID() },
    ),
  'Mutation.answerDisclosureRequest': () =>
    sameAsMissing(
      'mutation($id: ID!) { answerDisclosureRequest(id: $id, type: DISCLOSED, answer: "x") { id } }',
      { id: b.disclosureId },
      { id: randomUUID() },
    ),
  // Interviews and surveys (2015 §4): B's public face only, for A exactly as for anyone; B's records otherwise
  // like missing ones.
  'Query.interviews': async () => {
    const q = 'query($s: String!) { interviews(site: $s) { edges { node { id } } } }';
    const asA = await t.gql(q, { s: B_SITE }, tokenA);
    expect(asA).toEqual(await t.gql(q, { s: B_SITE }));
    expect(asA.data!.interviews.edges).toEqual([]); // B's interview is not announced
    denied(await t.gql(q, { s: PREPARING }, tokenA));
  },
  'Query.interview': () =>
    sameAsMissing(
      'query($s: String!, $id: ID!) { interview(site: $s, id: $id) { id questions { id } } }',
      { s: B_SITE, id: b.interviewId },
      { s: B_SITE, id: randomUUID() },
    ),
  'Query.surveys': async () => {
    const q = 'query($s: String!) { surveys(site: $s) { edges { node { id status results { responses } } } } }';
    const asA = await t.gql(q, { s: B_SITE }, tokenA);
    expect(asA).toEqual(await t.gql(q, { s: B_SITE }));
    // The open survey is public, without its results; the draft is not there.
    expect(asA.data!.surveys.edges).toEqual([{ node: { id: b.surveyId, status: 'OPEN', results: null } }]);
  },
  'Query.survey': () =>
    sameAsMissing(
      'query($s: String!, $id: ID!) { survey(site: $s, id: $id) { id } }',
      { s: B_SITE, id: b.draftSurveyId },
      { s: B_SITE, id: randomUUID() },
    ),
  'Query.surveyResponses': () =>
    sameAsMissing(
      'query($id: ID!) { surveyResponses(survey: $id) { edges { node { id } } } }',
      { id: b.surveyId },
      { id: randomUUID() },
    ),
  'Query.interactionYearReport': async () => {
    await sameAsMissing(
      'query($s: String!) { interactionYearReport(year: 2026, site: $s) { site } }',
      { s: B_SITE },
      { s: 'nosuchsite' },
    );
    const all = await t.gql('{ interactionYearReport(year: 2026) { site } }', {}, tokenA);
    expect(all.data!.interactionYearReport.map((r: { site: string }) => r.site)).toEqual([A_SITE]);
  },
  'Mutation.createInterview': () =>
    sameAsMissing(
      `mutation($s: String!) { createInterview(input: { site: $s, topic: "x", description: "x", guests: [{ name: "x" }],
        startsAt: "2026-12-01T02:00:00Z" }) { id } }`,
      { s: B_SITE },
      { s: 'nosuchsite' },
    ),
  'Mutation.draftInterviewAnnouncement': () =>
    sameAsMissing(
      'mutation($id: ID!) { draftInterviewAnnouncement(id: $id) { id } }',
      { id: b.interviewId },
      { id: randomUUID() },
    ),
  'Mutation.startInterview': () =>
    sameAsMissing('mutation($id: ID!) { startInterview(id: $id) { id } }', { id: b.interviewId }, { id: randomUUID() }),
  'Mutation.endInterview': () =>
    sameAsMissing('mutation($id: ID!) { endInterview(id: $id) { id } }', { id: b.interviewId }, { id: randomUUID() }),
  'Mutation.completeInterview': () =>
    sameAsMissing(
      'mutation($id: ID!) { completeInterview(id: $id) { id } }',
      { id: b.interviewId },
      { id: randomUUID() },
    ),
  'Mutation.draftInterviewTranscript': () =>
    sameAsMissing(
      'mutation($id: ID!) { draftInterviewTranscript(input: { id: $id }) { id } }',
      { id: b.interviewId },
      { id: randomUUID() },
    ),
  'Mutation.submitInterviewQuestion': async () => {
    // A public write: only to an announced interview of a public site; B's unannounced one is like a missing one.
    const q = `mutation($i: ID!, $a: String!) { submitInterviewQuestion(input: { site: "${B_SITE}", interview: $i, body: "x",
      asker: { name: "x", phone: "12345" }, altcha: $a }) { id } }`;
    const rf = await t.gql(q, { i: b.interviewId, a: await solveAltcha(t) }, tokenA);
    const rm = await t.gql(q, { i: randomUUID(), a: await solveAltcha(t) }, tokenA);
    expect(codeOf(rf)).toBe('NOT_FOUND');
    expect(rf.errors?.[0]?.extensions).toEqual(rm.errors?.[0]?.extensions);
  },
  'Mutation.moderateInterviewQuestion': () =>
    sameAsMissing(
      'mutation($id: ID!) { moderateInterviewQuestion(id: $id, approve: true) { id } }',
      { id: b.questionId },
      { id: randomUUID() },
    ),
  'Mutation.answerInterviewQuestion': () =>
    sameAsMissing(
      'mutation($id: ID!) { answerInterviewQuestion(id: $id, answer: "x", answeredBy: "钱局长") { id } }',
      { id: b.questionId },
      { id: randomUUID() },
    ),
  'Mutation.createSurvey': () =>
    sameAsMissing(
      `mutation($s: String!) { createSurvey(input: { site: $s, kind: SURVEY, title: "x", description: "x", concern: "x",
        opensAt: "2026-12-01T00:00:00Z", closesAt: "2026-12-08T00:00:00Z", questions: [{ kind: TEXT, text: "x" }] }) { id } }`,
      { s: B_SITE },
      { s: 'nosuchsite' },
    ),
  'Mutation.openSurvey': () =>
    sameAsMissing('mutation($id: ID!) { openSurvey(id: $id) { id } }', { id: b.draftSurveyId }, { id: randomUUID() }),
  'Mutation.closeSurvey': () =>
    sameAsMissing('mutation($id: ID!) { closeSurvey(id: $id) { id } }', { id: b.surveyId }, { id: randomUUID() }),
  'Mutation.submitSurveyResponse': async () => {
    // Anyone may answer B's open survey (its point); never its draft, which is like a missing survey.
    const q = `mutation($s: ID!, $a: String!) { submitSurveyResponse(input: { site: "${B_SITE}", survey: $s,
      contact: "13800003333", answers: [{ questionId: "q1", choices: [0] }], altcha: $a }) { survey } }`;
    const rf = await t.gql(q, { s: b.draftSurveyId, a: await solveAltcha(t) }, tokenA);
    const rm = await t.gql(q, { s: randomUUID(), a: await solveAltcha(t) }, tokenA);
    expect(codeOf(rf)).toBe('NOT_FOUND');
    expect(rf.errors?.[0]?.extensions).toEqual(rm.errors?.[0]?.extensions);
  },
  'Mutation.moderateSurveyResponse': () =>
    sameAsMissing(
      'mutation($id: ID!) { moderateSurveyResponse(id: $id, approve: true) { id } }',
      { id: b.responseId },
      { id: randomUUID() },
    ),
  'Mutation.draftSurveyResult': () =>
    sameAsMissing(
      'mutation($id: ID!) { draftSurveyResult(id: $id, usage: "x") { id } }',
      { id: b.surveyId },
      { id: randomUUID() },
    ),
  'Mutation.completeSurvey': () =>
    sameAsMissing('mutation($id: ID!) { completeSurvey(id: $id) { id } }', { id: b.surveyId }, { id: randomUUID() }),
  // Issue 12: routing answers B's public face only, for A exactly as for anyone.
  'Query.route': async () => {
    const query = `query($h: String!, $p: String!) { route(host: $h, path: $p) { __typename
      ... on ColumnPage { items { edges { node { id } } } } ... on NotFoundPage { status } } }`;
    const draft = { h: 'edu.localhost', p: `/tzgg/${b.draftId.slice(0, 8)}.html` };
    expect((await t.gql(query, draft, tokenA)).data!.route).toEqual({ __typename: 'NotFoundPage', status: 404 });
    const list = await t.gql(query, { h: 'edu.localhost', p: '/tzgg/' }, tokenA);
    expect(list).toEqual(await t.gql(query, { h: 'edu.localhost', p: '/tzgg/' }));
    expect(list.data!.route.items.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([b.publishedId]);
    const hidden = await t.gql(query, { h: 'edu.localhost', p: '/internal/' }, tokenA);
    expect(hidden.data!.route.__typename).toBe('NotFoundPage');
    // A site being prepared answers exactly like an unknown host.
    const prep = await t.gql(query, { h: 'secret.localhost', p: '/' }, tokenA);
    expect(prep).toEqual(await t.gql(query, { h: 'nosuch.localhost', p: '/' }, tokenA));
  },
  'Query.redirects': () =>
    sameAsMissing(
      'query($s: String!) { redirects(site: $s) { edges { node { fromPath } } } }',
      { s: B_SITE },
      { s: 'nosuchsite' },
    ),
  'Mutation.recordRedirects': async () => {
    const query =
      'mutation($s: String!, $i: ID, $g: Boolean) { recordRedirects(site: $s, entries: [{ fromPath: "/x.html", toItemId: $i, gone: $g }]) }';
    await sameAsMissing(query, { s: B_SITE, g: true }, { s: 'nosuchsite', g: true });
    // Nor may A's map lead to B's content.
    const cross = await t.gql(query, { s: A_SITE, i: b.publishedId }, tokenA);
    expect(codeOf(cross)).toBe('NOT_FOUND');
  },
  'Mutation.previewToken': () =>
    sameAsMissing(
      'mutation($id: ID!) { previewToken(itemId: $id) { token } }',
      { id: b.draftId },
      { id: randomUUID() },
    ),
  // Webhooks: B's endpoints and their delivery log are invisible to A, and cannot be changed or redelivered.
  'Query.webhookEndpoints': () =>
    sameAsMissing(
      'query($s: String!) { webhookEndpoints(site: $s) { id deliveries { edges { node { id } } } } }',
      { s: B_SITE },
      { s: 'nosuchsite' },
    ),
  'Mutation.createWebhookEndpoint': () =>
    sameAsMissing(
      'mutation($s: String!) { createWebhookEndpoint(input: { site: $s, url: "https://evil.example.org/", events: ["item.published"] }) { secret } }',
      { s: B_SITE },
      { s: 'nosuchsite' },
    ),
  'Mutation.updateWebhookEndpoint': () =>
    sameAsMissing(
      'mutation($id: ID!) { updateWebhookEndpoint(input: { id: $id, url: "https://evil.example.org/" }) { id } }',
      { id: b.webhookId },
      { id: randomUUID() },
    ),
  'Mutation.rotateWebhookSecret': () =>
    sameAsMissing(
      'mutation($id: ID!) { rotateWebhookSecret(id: $id) { secret } }',
      { id: b.webhookId },
      { id: randomUUID() },
    ),
  'Mutation.deleteWebhookEndpoint': () =>
    sameAsMissing('mutation($id: ID!) { deleteWebhookEndpoint(id: $id) }', { id: b.webhookId }, { id: randomUUID() }),
  'Mutation.redeliverWebhook': () =>
    sameAsMissing(
      'mutation($id: ID!) { redeliverWebhook(deliveryId: $id) }',
      { id: b.webhookDeliveryId },
      { id: randomUUID() },
    ),
  'Mutation.setColumnNames': () =>
    sameAsMissing(
      'mutation($id: ID!) { setColumnNames(id: $id, names: [{ locale: "en", name: "Notices" }]) { id } }',
      { id: b.columnId },
      { id: randomUUID() },
    ),
  'Mutation.updateSiteDelivery': () =>
    sameAsMissing(
      'mutation($s: String!) { updateSiteDelivery(input: { site: $s, legacyHosts: ["old.example.gov.cn"] }) { code } }',
      { s: B_SITE },
      { s: 'nosuchsite' },
    ),
};

describe('tenant isolation through the API', () => {
  it('covers every query and mutation of the schema', () => {
    const schema = buildSchema(loadTypeDefs());
    const fields = [schema.getQueryType(), schema.getMutationType()].flatMap((type) =>
      Object.keys((type as GraphQLObjectType).getFields()).map((f) => `${type!.name}.${f}`),
    );
    const missing = fields.filter((f) => !(f in cases));
    expect(missing, `add isolation cases for: ${missing.join(', ')}`).toEqual([]);
  });

  for (const [name, run] of Object.entries(cases)) it(name, run);

  it("leaves site B's records untouched", async () => {
    const r = await t.gql(
      `{ site(code: "${B_SITE}") { name columns { id } members { id roles } apiTokens { id revokedAt } } }`,
      {},
      tokenB,
    );
    expect(r.data!.site.name).toBe('攀枝花市教育局');
    expect(r.data!.site.columns.map((c: { id: string }) => c.id)).toEqual(
      expect.arrayContaining([b.columnId, b.hiddenColumnId]),
    );
    expect(r.data!.site.members.find((m: { id: string }) => m.id === b.membershipId).roles).toEqual(['EDITOR']);
    expect(r.data!.site.apiTokens[0].revokedAt).toBeNull();
    const hooks = await t.gql(
      `{ webhookEndpoints(site: "${B_SITE}") { id url enabled deliveries { edges { node { id } } } } }`,
      {},
      tokenB,
    );
    expect(hooks.data!.webhookEndpoints).toEqual([
      {
        id: b.webhookId,
        url: 'https://hooks.example.org/edu',
        enabled: true,
        deliveries: { edges: [{ node: { id: b.webhookDeliveryId } }] },
      },
    ]);
    const items = await t.gql(`{ items(site: "${B_SITE}") { edges { node { id state title } } } }`, {}, tokenB);
    expect(
      items.data!.items.edges.map((e: { node: { id: string; state: string; title: string } }) => [
        e.node.id,
        e.node.state,
        e.node.title,
      ]),
    ).toEqual(
      [
        [b.draftId, 'DRAFT', '教育局内部草稿'],
        [b.publishedId, 'PUBLISHED', '教育局公开通知'],
      ].reverse(),
    );
    const letter = await t.gql(
      'query($id: ID!) { letter(id: $id) { status site reply transfers { toSite } } }',
      { id: b.letterId },
      await t.tokenFor(demo.handler(B_SITE)),
    );
    expect(letter.data!.letter).toEqual({ status: 'ACCEPTED', site: B_SITE, reply: null, transfers: [] });
    const requests = await t.gql(
      `{ disclosureRequests(site: "${B_SITE}") { edges { node { id status dueOn answerType thirdPartyConsultations { party } } } } }`,
      {},
      await t.tokenFor(demo.handler(B_SITE)),
    );
    expect(requests.data!.disclosureRequests.edges.map((e: { node: unknown }) => e.node)).toEqual([
      { id: b.disclosureId, status: 'OPEN', dueOn: '2026-10-29', answerType: null, thirdPartyConsultations: [] },
    ]);
    const handlerB = await t.tokenFor(demo.handler(B_SITE));
    const iv = await t.gql(
      `query($id: ID!) { interview(site: "${B_SITE}", id: $id) { status announcementItemId questions { status answer } } }`,
      { id: b.interviewId },
      handlerB,
    );
    expect(iv.data!.interview).toEqual({
      status: 'ANNOUNCED',
      announcementItemId: null,
      questions: [{ status: 'PENDING', answer: null }],
    });
    const sv = await t.gql(
      `query($id: ID!, $d: ID!) { a: survey(site: "${B_SITE}", id: $id) { status results { responses } } d: survey(site: "${B_SITE}", id: $d) { status } }`,
      { id: b.surveyId, d: b.draftSurveyId },
      handlerB,
    );
    expect(sv.data).toEqual({ a: { status: 'OPEN', results: { responses: 1 } }, d: { status: 'DRAFT' } });
    const rs = await t.gql(
      'query($s: ID!) { surveyResponses(survey: $s) { edges { node { textStatus } } } }',
      { s: b.surveyId },
      handlerB,
    );
    expect(rs.data!.surveyResponses.edges).toEqual([{ node: { textStatus: 'PENDING' } }]);
  });

  it("an API token of site A cannot read site B's people or tokens", async () => {
    const created = await t.gql(
      `mutation { createApiToken(input: { site: "${A_SITE}", name: "theme", scopes: [READ_PUBLISHED], expiresAt: "2099-01-01T00:00:00Z" }) { token } }`,
      {},
      tokenA,
    );
    expect(codeOf(created)).toBe('BAD_USER_INPUT'); // beyond the 366-day limit
    const ok = await t.gql(
      'mutation($e: DateTime!) { createApiToken(input: { site: "miyi", name: "theme", scopes: [READ_PUBLISHED], expiresAt: $e }) { token } }',
      { e: new Date(Date.now() + 86_400_000).toISOString() },
      tokenA,
    );
    const token = ok.data!.createApiToken.token;
    const r = await t.gql(`{ site(code: "${B_SITE}") { members { id } } }`, {}, token);
    expect(codeOf(r)).toBe('FORBIDDEN');
    const m = await t.gql(
      `mutation { createColumn(input: { site: "${A_SITE}", code: "x", name: "X" }) { id } }`,
      {},
      token,
    );
    expect(codeOf(m)).toBe('FORBIDDEN');
  });
});

describe('tenant isolation at the database', () => {
  it('every table with a site_id (and site itself) has row-level security', async () => {
    const client = new pg.Client({ connectionString: t.db.ownerUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ table: string; rls: boolean; force: boolean }>(`
        select c.relname as table, c.relrowsecurity as rls, c.relforcerowsecurity as force
          from pg_class c join pg_namespace n on n.oid = c.relnamespace
         where n.nspname = 'public' and c.relkind = 'r'
           and (c.relname = 'site' or exists (select 1 from information_schema.columns k
                 where k.table_schema = 'public' and k.table_name = c.relname and k.column_name = 'site_id'))`);
      expect(rows.length).toBeGreaterThanOrEqual(6);
      for (const r of rows) expect(r, r.table).toMatchObject({ rls: true });
    } finally {
      await client.end();
    }
  });

  it('a raw SELECT as the app role without the setting returns no rows from any site-owned table', async () => {
    const client = new pg.Client({ connectionString: t.db.appUrl });
    await client.connect();
    try {
      const { rows: tables } = await client.query<{ table: string }>(`
        select distinct table_name as table from information_schema.columns
         where table_schema = 'public' and (column_name = 'site_id' or table_name = 'site')`);
      expect(tables.map((r) => r.table)).toEqual(
        expect.arrayContaining(['site', 'site_column', 'membership', 'api_token', 'audit_record', 'site_domain']),
      );
      // National calendar rows (site_id null) are public by design; every site-owned row must stay hidden.
      const nationalRows = new Set(['workday_exception', 'workday_year']);
      for (const { table } of tables) {
        const where = nationalRows.has(table) ? ' where site_id is not null' : '';
        const { rows } = await client.query(`select count(*)::int as n from ${table}${where}`);
        expect(rows[0].n, table).toBe(0);
      }
      // With A's scope set, A's rows appear and B's do not, and B's rows cannot be written.
      const ids = await t.platform.orm.em
        .fork()
        .execute<{ id: string; code: string }[]>(
          "select id, code from zq_site_directory() where code in ('miyi', 'edu')",
        );
      const aId = ids.find((r) => r.code === A_SITE)!.id;
      const bId = ids.find((r) => r.code === B_SITE)!.id;
      await client.query('begin');
      await client.query("select set_config('zq.site_ids', $1, true)", [aId]);
      const seen = await client.query<{ site_id: string }>('select distinct site_id from site_column');
      expect(seen.rows.map((r) => r.site_id)).toEqual([aId]);
      const upd = await client.query("update site_column set name = 'hijacked' where site_id = $1", [bId]);
      expect(upd.rowCount).toBe(0);
      await expect(
        client.query(
          "insert into site_column (id, site_id, code, path, name, type, update_class, created_at, updated_at) values ($1, $2, 'x', '/x', 'x', 'LIST', 'STATIC', now(), now())",
          [randomUUID(), bId],
        ),
      ).rejects.toThrow(/row-level security/);
      await client.query('rollback');
    } finally {
      await client.end();
    }
  });

  it('a foreign site’s file can be neither fetched nor used in an item', async () => {
    const auth = { authorization: `Bearer ${tokenA}` };
    const foreign = await t.app.inject({ url: `/media/${b.mediaId}/original`, headers: auth });
    const missing = await t.app.inject({ url: `/media/${randomUUID()}/original`, headers: auth });
    expect([foreign.statusCode, foreign.json()]).toEqual([missing.statusCode, missing.json()]);
    expect(foreign.statusCode).toBe(404);
    const use = await t.gql(
      `mutation($m: ID!) { createItem(input: { site: "${A_SITE}", column: "/zwdt/yw", kind: "ARTICLE", title: "x",
        attachments: [{ mediaId: $m }] }) { id } }`,
      { m: b.mediaId },
      await t.tokenFor(demo.editor(A_SITE)),
    );
    expect([codeOf(use), use.errors?.[0]?.extensions.field]).toEqual(['NOT_FOUND', 'attachments']);
  });

  it('the ORM site filter is a layer of its own: it refuses unscoped reads and narrows scoped ones', async () => {
    const { Column, scopeSession, SITE_FILTER } = await import('@zhanqun/core');
    await expect(t.platform.orm.em.fork().find(Column, {})).rejects.toThrow(/filter 'site'/);
    const ids = await t.platform.orm.em
      .fork()
      .execute<{ id: string; code: string }[]>(
        "select id, code from zq_site_directory() where code in ('miyi', 'edu')",
      );
    const aId = ids.find((r) => r.code === A_SITE)!.id;
    const bId = ids.find((r) => r.code === B_SITE)!.id;
    // Suppose a bug let the database session admit both sites: the filter still keeps the fork to A.
    const fork = t.platform.orm.em.fork({ session: scopeSession([aId, bId]) });
    fork.setFilterParams(SITE_FILTER, { siteIds: [aId] });
    const cols = await fork.find(Column, {});
    expect(new Set(cols.map((c) => c.siteId))).toEqual(new Set([aId]));
  });

  it("the list projection (item_listing): A's scope neither sees, writes nor deletes B's rows; the ORM filter narrows it", async () => {
    const { ItemListing, scopeSession, SITE_FILTER } = await import('@zhanqun/core');
    const ids = await t.platform.orm.em
      .fork()
      .execute<{ id: string; code: string }[]>(
        "select id, code from zq_site_directory() where code in ('miyi', 'edu')",
      );
    const aId = ids.find((r) => r.code === A_SITE)!.id;
    const bId = ids.find((r) => r.code === B_SITE)!.id;
    const owner = new pg.Client({ connectionString: t.db.ownerUrl });
    await owner.connect();
    const bRows = await owner.query('select item_id, column_id from item_listing where item_id = $1', [b.publishedId]);
    await owner.end();
    expect(bRows.rows.length).toBeGreaterThan(0);
    const client = new pg.Client({ connectionString: t.db.appUrl });
    await client.connect();
    try {
      await client.query('begin');
      await client.query("select set_config('zq.site_ids', $1, true)", [aId]);
      expect(
        (await client.query('select distinct site_id from item_listing')).rows.map((r) => r.site_id),
      ).not.toContain(bId);
      expect((await client.query('delete from item_listing where site_id = $1', [bId])).rowCount).toBe(0);
      await expect(
        client.query(
          `insert into item_listing select * from (select $1::uuid, $2::uuid, $3::uuid, $3::uuid, true, now(), 'ARTICLE', 'zh-CN',
             'x', $1::uuid, null::uuid, null::int, $1::uuid, 1, '{}'::jsonb, now(), null::text, null::timestamptz, now(), now()) x`,
          [randomUUID(), bRows.rows[0].column_id, bId],
        ),
      ).rejects.toThrow(/row-level security/);
      await client.query('rollback');
    } finally {
      await client.end();
    }
    const fork = t.platform.orm.em.fork({ session: scopeSession([aId, bId]) });
    fork.setFilterParams(SITE_FILTER, { siteIds: [aId] });
    const rows = await fork.find(ItemListing, {});
    expect(rows.every((r) => r.siteId === aId)).toBe(true);
    await expect(t.platform.orm.em.fork().find(ItemListing, {})).rejects.toThrow(/filter 'site'/);
  });

  it('interviews, questions, surveys, responses and public uploads: the ORM filter narrows and refuses', async () => {
    const core = await import('@zhanqun/core');
    const ids = await t.platform.orm.em
      .fork()
      .execute<{ id: string; code: string }[]>(
        "select id, code from zq_site_directory() where code in ('miyi', 'edu')",
      );
    const aId = ids.find((r) => r.code === A_SITE)!.id;
    const bId = ids.find((r) => r.code === B_SITE)!.id;
    for (const entity of [
      core.Interview,
      core.InterviewQuestion,
      core.Survey,
      core.SurveyResponse,
      core.PublicUpload,
    ] as unknown as (typeof core.Interview)[]) {
      await expect(t.platform.orm.em.fork().find(entity, {}), entity.name).rejects.toThrow(/filter 'site'/);
      const narrowed = t.platform.orm.em.fork({ session: core.scopeSession([aId, bId]) });
      narrowed.setFilterParams(core.SITE_FILTER, { siteIds: [aId] });
      expect((await narrowed.find(entity, {})).filter((r) => (r as { siteId: string }).siteId === bId)).toEqual([]);
    }
    // B's rows exist (seen with B in scope), and A's database scope can neither see nor change them.
    const both = t.platform.orm.em.fork({ session: core.scopeSession([aId, bId]) });
    both.setFilterParams(core.SITE_FILTER, { siteIds: [aId, bId] });
    expect(await both.count(core.Interview, { siteId: bId })).toBe(1);
    expect(await both.count(core.SurveyResponse, { siteId: bId })).toBe(1);
    const client = new pg.Client({ connectionString: t.db.appUrl });
    await client.connect();
    try {
      await client.query('begin');
      await client.query("select set_config('zq.site_ids', $1, true)", [aId]);
      for (const table of ['interview', 'interview_question', 'survey', 'survey_response'])
        expect(
          (await client.query(`update ${table} set site_id = site_id where site_id = $1`, [bId])).rowCount,
          table,
        ).toBe(0);
      await client.query('rollback');
    } finally {
      await client.end();
    }
  });

  it("webhook tables: A's scope neither sees nor writes B's endpoints, events or deliveries", async () => {
    const ids = await t.platform.orm.em
      .fork()
      .execute<{ id: string; code: string }[]>(
        "select id, code from zq_site_directory() where code in ('miyi', 'edu')",
      );
    const aId = ids.find((r) => r.code === A_SITE)!.id;
    const bId = ids.find((r) => r.code === B_SITE)!.id;
    const client = new pg.Client({ connectionString: t.db.appUrl });
    await client.connect();
    try {
      await client.query('begin');
      await client.query("select set_config('zq.site_ids', $1, true)", [aId]);
      for (const table of ['webhook_endpoint', 'webhook_event', 'webhook_delivery'])
        expect(
          (await client.query(`select count(*)::int as n from ${table} where site_id = $1`, [bId])).rows[0].n,
          table,
        ).toBe(0);
      expect((await client.query("update webhook_endpoint set url = 'https://evil.example.org/'")).rowCount).toBe(0);
      await expect(
        client.query(
          `insert into webhook_endpoint (id, site_id, url, events, secret, created_at, updated_at)
           values ($1, $2, 'https://evil.example.org/', '{item.published}', 'whsec_x', now(), now())`,
          [randomUUID(), bId],
        ),
      ).rejects.toThrow(/row-level security/);
      await client.query('rollback');
    } finally {
      await client.end();
    }
  });

  it("imports (runs, staged records, sign-offs, register): A's scope neither sees nor writes B's rows; the ORM filter narrows them", async () => {
    const { ImportRecord, ImportRun, LegacySite, scopeSession, SITE_FILTER } = await import('@zhanqun/core');
    const ids = await t.platform.orm.em
      .fork()
      .execute<{ id: string; code: string }[]>(
        "select id, code from zq_site_directory() where code in ('miyi', 'edu')",
      );
    const aId = ids.find((r) => r.code === A_SITE)!.id;
    const bId = ids.find((r) => r.code === B_SITE)!.id;
    // An old path of B's run (import_old_path, migration 0028), as staging writes them.
    const owner = new pg.Client({ connectionString: t.db.ownerUrl });
    await owner.connect();
    await owner.query(
      "insert into import_old_path (run_id, path, source_id, site_id) values ($1, '/a/1.html', '1', $2) on conflict do nothing",
      [b.importRunId, bId],
    );
    await owner.end();
    const client = new pg.Client({ connectionString: t.db.appUrl });
    await client.connect();
    try {
      await client.query('begin');
      await client.query("select set_config('zq.site_ids', $1, true)", [bId]);
      // Control: B's scope sees B's rows.
      expect(
        (await client.query('select count(*)::int as n from import_record where run_id = $1', [b.importRunId])).rows[0]
          .n,
      ).toBeGreaterThan(0);
      expect(
        (await client.query('select count(*)::int as n from import_old_path where run_id = $1', [b.importRunId]))
          .rows[0].n,
      ).toBe(1);
      await client.query("select set_config('zq.site_ids', $1, true)", [aId]);
      expect((await client.query('delete from import_old_path where run_id = $1', [b.importRunId])).rowCount).toBe(0);
      for (const table of ['import_run', 'import_record', 'import_old_path', 'import_sign_off', 'legacy_site'])
        expect(
          (await client.query(`select count(*)::int as n from ${table} where site_id = $1`, [bId])).rows[0].n,
          table,
        ).toBe(0);
      expect(
        (await client.query("update import_run set state = 'CANCELLED' where id = $1", [b.importRunId])).rowCount,
      ).toBe(0);
      expect(
        (await client.query("update import_record set outcome = 'FAILED' where run_id = $1", [b.importRunId])).rowCount,
      ).toBe(0);
      await expect(
        client.query(
          "insert into import_sign_off (id, run_id, site_id, level, user_id, user_name, role, content_hash, signed_at) values ($1, $2, $3, 1, $1, 'x', 'EDITOR', 'x', now())",
          [randomUUID(), b.importRunId, bId],
        ),
      ).rejects.toThrow(/row-level security/);
      await client.query('rollback');
      await client.query('begin');
      await client.query("select set_config('zq.site_ids', $1, true)", [aId]);
      await expect(
        client.query("insert into import_old_path (run_id, path, source_id, site_id) values ($1, '/b.html', '2', $2)", [
          b.importRunId,
          bId,
        ]),
      ).rejects.toThrow(/row-level security/);
      await client.query('rollback');
      await client.query('begin');
      await client.query("select set_config('zq.site_ids', $1, true)", [aId]);
      await expect(
        client.query(
          "insert into legacy_site (id, site_id, name, kind, state, created_at, updated_at) values ($1, $2, 'x', 'OTHER', 'MIGRATING', now(), now())",
          [randomUUID(), bId],
        ),
      ).rejects.toThrow(/row-level security/);
      await client.query('rollback');
    } finally {
      await client.end();
    }
    const fork = t.platform.orm.em.fork({ session: scopeSession([aId, bId]) });
    fork.setFilterParams(SITE_FILTER, { siteIds: [aId] });
    expect(await fork.count(ImportRun, { siteId: bId })).toBe(0);
    expect(await fork.count(ImportRecord, { siteId: bId })).toBe(0);
    expect(await fork.count(LegacySite, { siteId: bId })).toBe(0);
    await expect(t.platform.orm.em.fork().find(ImportRun, {})).rejects.toThrow(/filter 'site'/);
  });

  it('the app role is neither superuser nor owner, and cannot rewrite audit history', async () => {
    const client = new pg.Client({ connectionString: t.db.appUrl });
    await client.connect();
    try {
      const { rows } = await client.query(
        'select r.rolsuper, r.rolbypassrls, (select count(*)::int from pg_tables where tableowner = current_user) as owned from pg_roles r where r.rolname = current_user',
      );
      expect(rows[0]).toEqual({ rolsuper: false, rolbypassrls: false, owned: 0 });
      await expect(client.query('update audit_record set action = action')).rejects.toThrow(/permission denied/);
      await expect(client.query('delete from audit_record')).rejects.toThrow(/permission denied/);
    } finally {
      await client.end();
    }
  });
});
