/**
 * Online interviews and consultations (2015 §3, §4) through the API, on 米易县 (a county portal): an interview
 * announced in advance, the public's questions before and during it (moderated, askers never public), the
 * transcript with its media published through the three levels as an interpretation of a policy document; a
 * consultation with server-enforced dates, one answer per contact, a flood answered with 429, and its results and
 * 运用情况 published before it counts as done; then the 2015 §4 yearly report with the sites that are behind.
 */
import { createHash, randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeCtx, sweepInteractionCompletions, uploadMedia } from '@zhanqun/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOf, demo, type GqlResult, reasonOf, startTestApp, type TestApp } from './helpers.ts';
import { solveAltcha } from './interaction-helpers.ts';
import { adminQuery, photoWithGps } from './media/fixtures.ts';

let t: TestApp;
let clock = new Date('2026-10-09T02:00:00Z');
const SITE = 'miyi';
const handler = () => t.tokenFor(demo.handler(SITE));

beforeAll(async () => {
  t = await startTestApp({ now: () => clock, env: { PUBLIC_WRITE_PER_ADDRESS: '6', PUBLIC_WRITE_PER_CONTACT: '5' } });
}, 120_000);
afterAll(async () => {
  await t?.close();
});

const ok = (r: GqlResult) => {
  expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
  // biome-ignore lint/suspicious/noExplicitAny: test shorthand over GraphQL answers
  return Object.values(r.data!)[0] as Record<string, any>;
};

/** Submits an item and has the handler (level 1), the reviewer and the approver sign it. */
async function publishThroughReview(itemId: string) {
  const h = await handler();
  ok(await t.gql('mutation($id: ID!) { submitItem(id: $id) { state } }', { id: itemId }, h));
  for (const who of [h, await t.tokenFor(demo.reviewer(SITE)), await t.tokenFor(demo.approver(SITE))])
    ok(await t.gql('mutation($id: ID!) { signOff(input: { id: $id }) { state } }', { id: itemId }, who));
}

async function ask(interview: string, body: string, phone: string, address = '127.0.0.1') {
  const res = await t.app.inject({
    method: 'POST',
    url: '/graphql',
    remoteAddress: address,
    payload: {
      query: 'mutation($i: SubmitInterviewQuestionInput!) { submitInterviewQuestion(input: $i) { id status } }',
      variables: { i: { site: SITE, interview, body, asker: { name: '李网友', phone }, altcha: await solveAltcha(t) } },
    },
  });
  return { ...res.json(), status: res.statusCode } as GqlResult & { status: number };
}

describe('online interview (在线访谈): announced, asked, answered, published', () => {
  let policyId = '';
  let interviewId = '';
  let questionIds: string[] = [];
  let imageId = '';
  const Q = 'id status topic interprets announcementItemId transcriptItemId';

  it('is set up by the handler as an interpretation of a policy document, invisible until announced', async () => {
    const policy = await t.gql(
      'mutation { createItem(input: { site: "miyi", column: "/zc/zcwj", kind: "POLICY_DOCUMENT", title: "米易县农村人居环境整治实施方案", issuedAt: "2026-09-20" }) { id } }',
      {},
      await t.tokenFor(demo.editor(SITE)),
    );
    policyId = ok(policy).id;
    const created = ok(
      await t.gql(
        `mutation($i: CreateInterviewInput!) { createInterview(input: $i) { ${Q} guests { name title } site } }`,
        {
          i: {
            site: SITE,
            topic: '农村人居环境整治政策解读',
            description: '县农业农村局负责人解读实施方案并回答网友提问。',
            guests: [{ name: '赵局长', title: '县农业农村局局长' }],
            startsAt: '2026-10-15T02:00:00Z',
            endsAt: '2026-10-15T04:00:00Z',
            interprets: [policyId],
          },
        },
        await handler(),
      ),
    );
    interviewId = created.id;
    expect(created).toMatchObject({ status: 'ANNOUNCED', interprets: [policyId], site: SITE });
    // The public sees nothing yet and cannot ask; the interview cannot go live before its announcement.
    expect(ok(await t.gql(`{ interviews(site: "${SITE}") { edges { node { id } } } }`)).edges).toEqual([]);
    expect(codeOf(await ask(interviewId, '何时开始？', '13900000001'))).toBe('NOT_FOUND');
    const early = await t.gql(
      'mutation($id: ID!) { startInterview(id: $id) { id } }',
      { id: interviewId },
      await handler(),
    );
    expect(reasonOf(early)).toBe('INTERVIEW_NOT_ANNOUNCED');
    // Other staff of the site do not handle interviews.
    const editor = await t.gql(
      'mutation($id: ID!) { startInterview(id: $id) { id } }',
      { id: interviewId },
      await t.tokenFor(demo.editor(SITE)),
    );
    expect(codeOf(editor)).toBe('FORBIDDEN');
  });

  it('publishes the announcement (预告) through the three levels; then the public sees it and asks', async () => {
    const notice = ok(
      await t.gql(
        'mutation($id: ID!) { draftInterviewAnnouncement(id: $id) { id kind title } }',
        { id: interviewId },
        await handler(),
      ),
    );
    expect(notice).toMatchObject({ kind: 'INTERVIEW_NOTICE', title: '访谈预告：农村人居环境整治政策解读' });
    await publishThroughReview(notice.id);
    const pub = ok(
      await t.gql(`{ interviews(site: "${SITE}") { edges { node { id topic guests { name } questions { id } } } } }`),
    );
    expect(pub.edges).toEqual([
      { node: { id: interviewId, topic: '农村人居环境整治政策解读', guests: [{ name: '赵局长' }], questions: [] } },
    ]);
    clock = new Date('2026-10-12T02:00:00Z');
    const q1 = await ask(interviewId, '整治资金如何分配？我的电话13900000001', '13900000001');
    const q2 = await ask(interviewId, '广告：代办各类证件', '13900000002');
    expect([q1.errors, q2.errors]).toEqual([undefined, undefined]);
    questionIds = [q1.data!.submitInterviewQuestion.id, q2.data!.submitInterviewQuestion.id];
    // Nothing shows before moderation.
    const seen = ok(await t.gql(`{ interview(site: "${SITE}", id: "${interviewId}") { questions { id } } }`));
    expect(seen.questions).toEqual([]);
  });

  it('shows only approved questions, never the asker; the handler’s read of askers is audited', async () => {
    const h = await handler();
    ok(
      await t.gql(
        'mutation($id: ID!) { moderateInterviewQuestion(id: $id, approve: true) { status } }',
        { id: questionIds[0] },
        h,
      ),
    );
    ok(
      await t.gql(
        'mutation($id: ID!) { moderateInterviewQuestion(id: $id, approve: false) { status } }',
        { id: questionIds[1] },
        h,
      ),
    );
    const pub = await t.gql(
      `{ interview(site: "${SITE}", id: "${interviewId}") { questions { id phase body asker { name } } } }`,
    );
    expect(pub.data!.interview.questions).toEqual([
      { id: questionIds[0], phase: 'BEFORE', body: '整治资金如何分配？我的电话139****01', asker: null },
    ]);
    const staff = ok(
      await t.gql(
        `{ interview(site: "${SITE}", id: "${interviewId}") { questions { id status asker { name phone } } } }`,
        {},
        h,
      ),
    );
    expect(staff.questions).toHaveLength(2);
    const first = staff.questions.find((q: { id: string }) => q.id === questionIds[0]);
    expect(first.asker).toEqual({ name: '李网友', phone: '13900000001' });
    const audit = await t.gql(
      `{ auditLog(site: "${SITE}", action: "interview.readAsker") { edges { node { changes } } } }`,
      {},
      await t.tokenFor(demo.admin(SITE)),
    );
    expect(audit.data!.auditLog.edges).toHaveLength(1);
  });

  it('goes live, takes questions during the interview, records the guests’ answers, and ends', async () => {
    const h = await handler();
    clock = new Date('2026-10-15T02:05:00Z');
    expect(
      ok(await t.gql('mutation($id: ID!) { startInterview(id: $id) { status } }', { id: interviewId }, h)).status,
    ).toBe('LIVE');
    const q3 = await ask(interviewId, '整治后的垃圾清运由谁负责？', '13900000003');
    expect(q3.errors).toBeUndefined();
    questionIds.push(q3.data!.submitInterviewQuestion.id);
    const notGuest = await t.gql(
      'mutation($id: ID!) { answerInterviewQuestion(id: $id, answer: "x", answeredBy: "某人") { id } }',
      { id: questionIds[2] },
      h,
    );
    expect([codeOf(notGuest), notGuest.errors?.[0]?.extensions.field]).toEqual(['NOT_FOUND', 'answeredBy']);
    for (const [id, answer] of [
      [questionIds[0], '资金按各乡镇人口和任务量分配，详见实施方案第三条。'],
      [questionIds[2], '由各乡镇环卫所负责，县里统一监督。'],
    ])
      ok(
        await t.gql(
          'mutation($id: ID!, $a: String!) { answerInterviewQuestion(id: $id, answer: $a, answeredBy: "赵局长") { status } }',
          { id, a: answer },
          h,
        ),
      );
    const during = await t.gql(
      `{ interview(site: "${SITE}", id: "${interviewId}") { questions { phase answer answeredBy } } }`,
    );
    expect(during.data!.interview.questions[1]).toEqual({
      phase: 'DURING',
      answer: '由各乡镇环卫所负责，县里统一监督。',
      answeredBy: '赵局长',
    });
    clock = new Date('2026-10-15T04:00:00Z');
    expect(
      ok(await t.gql('mutation($id: ID!) { endInterview(id: $id) { status } }', { id: interviewId }, h)).status,
    ).toBe('ENDED');
    expect(reasonOf(await ask(interviewId, '还能提问吗？', '13900000004'))).toBe('INTERVIEW_NOT_TAKING_QUESTIONS');
  });

  it('publishes the transcript with its photo through the three levels, as an interpretation; then it is done', async () => {
    const h = await handler();
    const photo = join(tmpdir(), `zq-iv-${randomUUID()}.jpg`);
    const bytes = await photoWithGps(800, 600);
    writeFileSync(photo, bytes);
    const media = await uploadMedia(
      t.platform.systemCtx('test:interview'),
      { site: SITE, title: '访谈现场', alt: '赵局长在访谈现场' },
      {
        path: photo,
        name: 'fangtan.jpg',
        size: bytes.length,
        sha256: createHash('sha256').update(bytes).digest('hex'),
      },
    );
    imageId = media.id;
    expect((await t.app.inject({ url: `/media/${imageId}/original` })).statusCode).toBe(404); // not public yet
    const item = ok(
      await t.gql(
        'mutation($i: DraftInterviewTranscriptInput!) { draftInterviewTranscript(input: $i) { id kind title body interprets { id } } }',
        { i: { id: interviewId, media: [imageId] } },
        h,
      ),
    );
    expect(item).toMatchObject({
      kind: 'INTERPRETATION',
      title: '在线访谈：农村人居环境整治政策解读',
      interprets: [{ id: policyId }],
    });
    expect(item.body).toContain('资金按各乡镇人口和任务量分配');
    expect(item.body).toContain('网友');
    expect(item.body).not.toContain('李网友');
    expect(item.body).not.toContain('13900000001');
    expect(item.body).not.toContain('代办各类证件'); // rejected
    expect(
      reasonOf(await t.gql('mutation($id: ID!) { completeInterview(id: $id) { id } }', { id: interviewId }, h)),
    ).toBe('TRANSCRIPT_NOT_PUBLISHED');
    await publishThroughReview(item.id);
    const done = ok(
      await t.gql(
        `mutation($id: ID!) { completeInterview(id: $id) { ${Q} media publishedAt } }`,
        { id: interviewId },
        h,
      ),
    );
    expect(done).toMatchObject({ status: 'PUBLISHED', transcriptItemId: item.id, media: [imageId] });
    expect((await t.app.inject({ url: `/media/${imageId}/original` })).statusCode).toBe(200); // published with it
    const again = await t.gql('mutation($id: ID!) { completeInterview(id: $id) { id } }', { id: interviewId }, h);
    expect(reasonOf(again)).toBe('INVALID_INTERVIEW_STATE');
  });
});

const SURVEY = `mutation($i: SubmitSurveyResponseInput!) { submitSurveyResponse(input: $i) { survey submittedAt } }`;

async function answer(survey: string, contact: string, answers: unknown[], address = '127.0.0.1', altcha?: string) {
  const res = await t.app.inject({
    method: 'POST',
    url: '/graphql',
    remoteAddress: address,
    payload: {
      query: SURVEY,
      variables: { i: { site: SITE, survey, contact, answers, altcha: altcha ?? (await solveAltcha(t)) } },
    },
  });
  return { ...res.json(), status: res.statusCode, headers: res.headers } as GqlResult & {
    status: number;
    headers: Record<string, unknown>;
  };
}

describe('consultation (意见征集): dates, one answer per person, results and 运用情况 before done', () => {
  let surveyId = '';
  const good = (pick: number, text?: string) => [
    { questionId: 'q1', choices: [pick] },
    { questionId: 'q2', choices: [0, 2] },
    ...(text ? [{ questionId: 'q3', text }] : []),
  ];
  const count = async () =>
    ok(
      await t.gql(
        'query($s: ID!) { surveyResponses(survey: $s, first: 100) { edges { node { id textStatus } } } }',
        { s: surveyId },
        await handler(),
      ),
    ).edges.length as number;

  it('is created as a draft tied to a concern, and opened for fixed dates', async () => {
    clock = new Date('2026-10-16T02:00:00Z');
    const created = ok(
      await t.gql(
        'mutation($i: CreateSurveyInput!) { createSurvey(input: $i) { id status kind questions { id kind options maxLength } } }',
        {
          i: {
            site: SITE,
            kind: 'CONSULTATION',
            title: '米易县城区停车收费方案（征求意见稿）',
            description: '现就城区停车收费方案公开征求意见。',
            concern: '城区停车难、收费标准调整',
            opensAt: '2026-10-18T16:00:00Z',
            closesAt: '2026-10-25T16:00:00Z',
            questions: [
              { kind: 'SINGLE', text: '您是否赞成该方案？', options: ['赞成', '基本赞成', '不赞成'] },
              {
                kind: 'MULTIPLE',
                text: '您通常的出行方式',
                options: ['自驾', '公交', '步行', '骑行'],
                maxChoices: 2,
                required: false,
              },
              { kind: 'TEXT', text: '其他意见和建议', required: false, maxLength: 200 },
            ],
          },
        },
        await handler(),
      ),
    );
    surveyId = created.id;
    expect(created).toMatchObject({ status: 'DRAFT', kind: 'CONSULTATION' });
    expect(created.questions.map((q: { id: string }) => q.id)).toEqual(['q1', 'q2', 'q3']);
    expect(ok(await t.gql(`{ surveys(site: "${SITE}") { edges { node { id } } } }`)).edges).toEqual([]);
    expect(codeOf(await answer(surveyId, '13600000001', good(0)))).toBe('NOT_FOUND');
    expect(
      ok(await t.gql('mutation($id: ID!) { openSurvey(id: $id) { status } }', { id: surveyId }, await handler()))
        .status,
    ).toBe('UPCOMING');
    expect(reasonOf(await answer(surveyId, '13600000001', good(0)))).toBe('SURVEY_NOT_OPEN');
  });

  it('takes one answer per contact, checks answers against the questions, and writes nothing on refusal', async () => {
    clock = new Date('2026-10-20T02:00:00Z');
    const first = await answer(surveyId, '136 0000 0001', good(0, '建议夜间免费'));
    expect(first.errors).toBeUndefined();
    const again = await answer(surveyId, '+86 13600000001', good(2));
    expect([first.status, again.status, reasonOf(again), again.errors?.[0]?.extensions.field]).toEqual([
      200,
      409,
      'SURVEY_ALREADY_ANSWERED',
      'contact',
    ]);
    const missing = await answer(surveyId, '13600000002', [{ questionId: 'q2', choices: [1] }]);
    expect([reasonOf(missing), missing.errors?.[0]?.extensions.field]).toEqual(['SURVEY_ANSWER_INVALID', 'answers.q1']);
    const tooMany = await answer(surveyId, '13600000002', [
      { questionId: 'q1', choices: [0] },
      { questionId: 'q2', choices: [0, 1, 2] },
    ]);
    expect(reasonOf(tooMany)).toBe('SURVEY_ANSWER_INVALID');
    expect(await count()).toBe(1);
    expect((await answer(surveyId, 'wang@example.cn', good(1, '收费太高，电话13712345678'))).errors).toBeUndefined();
    expect(await count()).toBe(2);
  });

  it('answers a flood from one address with 429 and retry-after, while another address still gets through', async () => {
    clock = new Date('2026-10-21T05:00:00Z'); // a fresh throttle window
    const statuses: number[] = [];
    let retryAfter: unknown;
    for (let i = 0; i < 7; i++) {
      const r = await answer(surveyId, `1350000000${i}`, good(i % 3), '10.9.8.7');
      statuses.push(r.status);
      if (r.status === 429) retryAfter = r.headers['retry-after'];
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 429]);
    expect(Number(retryAfter)).toBeGreaterThan(0);
    expect(await count()).toBe(8);
    expect((await answer(surveyId, '13500000099', good(0), '10.9.8.6')).status).toBe(200);
    expect(await count()).toBe(9);
  });

  it('refuses answers after the close date, and is not done until results and 运用情况 are published', async () => {
    clock = new Date('2026-10-25T16:00:00Z');
    expect(reasonOf(await answer(surveyId, '13600000077', good(0), '10.1.1.1'))).toBe('SURVEY_NOT_OPEN');
    const h = await handler();
    expect(reasonOf(await t.gql('mutation($id: ID!) { completeSurvey(id: $id) { id } }', { id: surveyId }, h))).toBe(
      'SURVEY_RESULT_NOT_PUBLISHED',
    );
    const texts = ok(
      await t.gql(
        'query($s: ID!) { surveyResponses(survey: $s, textStatus: PENDING) { edges { node { id answers { text } } } } }',
        { s: surveyId },
        h,
      ),
    ).edges;
    expect(texts).toHaveLength(2);
    for (const e of texts) {
      const approve = e.node.answers.some((a: { text: string | null }) => a.text === '建议夜间免费');
      ok(
        await t.gql(
          'mutation($id: ID!, $a: Boolean!) { moderateSurveyResponse(id: $id, approve: $a) { textStatus } }',
          { id: e.node.id, a: approve },
          h,
        ),
      );
    }
    // The public sees no results before they are published.
    expect(ok(await t.gql(`{ survey(site: "${SITE}", id: "${surveyId}") { status results { responses } } }`))).toEqual({
      status: 'CLOSED',
      results: null,
    });
    const noUsage = await t.gql(
      'mutation($id: ID!) { draftSurveyResult(id: $id, usage: "  ") { id } }',
      { id: surveyId },
      h,
    );
    expect(codeOf(noUsage)).toBe('BAD_USER_INPUT');
    const item = ok(
      await t.gql(
        'mutation($id: ID!, $u: String!) { draftSurveyResult(id: $id, usage: $u) { id kind title body } }',
        { id: surveyId, u: '共采纳意见2条：增设夜间免费时段；公交换乘优惠。未采纳的意见已逐条说明理由。' },
        h,
      ),
    );
    expect(item).toMatchObject({ kind: 'SURVEY_RESULT', title: '米易县城区停车收费方案（征求意见稿）结果及运用情况' });
    expect(item.body).toContain('共收到 9 份意见');
    expect(item.body).toContain('建议夜间免费');
    expect(item.body).not.toContain('收费太高');
    expect(item.body).toContain('意见运用情况');
    expect(reasonOf(await t.gql('mutation($id: ID!) { completeSurvey(id: $id) { id } }', { id: surveyId }, h))).toBe(
      'SURVEY_RESULT_NOT_PUBLISHED',
    );
    await publishThroughReview(item.id);
    // The hourly completion sweep marks it done (completeSurvey does the same by hand).
    const sys = makeCtx({
      actor: { kind: 'system', name: 'test:completion' },
      rootEm: t.platform.orm.em,
      directory: t.platform.directory,
      now: () => clock,
    });
    expect(await sweepInteractionCompletions(sys)).toEqual({ interviews: 0, surveys: 1 });
    expect(await sweepInteractionCompletions(sys)).toEqual({ interviews: 0, surveys: 0 });
    const done = ok(
      await t.gql(`{ survey(site: "${SITE}", id: "${surveyId}") { status usage resultItemId completedAt } }`, {}, h),
    );
    expect(done).toMatchObject({ status: 'RESULT_PUBLISHED', resultItemId: item.id, completedAt: expect.any(String) });
    expect(reasonOf(await t.gql('mutation($id: ID!) { completeSurvey(id: $id) { id } }', { id: surveyId }, h))).toBe(
      'INVALID_SURVEY_STATE',
    );
    const pub = ok(
      await t.gql(
        `{ survey(site: "${SITE}", id: "${surveyId}") { status results { responses questions { questionId options { count } texts } } } }`,
      ),
    );
    expect(pub.status).toBe('RESULT_PUBLISHED');
    expect(pub.results.responses).toBe(9);
    expect(
      pub.results.questions[0].options.map((o: { count: number }) => o.count).reduce((a: number, b: number) => a + b),
    ).toBe(9);
    expect(pub.results.questions[2].texts).toEqual(['建议夜间免费']);
  });
});

describe('2015 §4 yearly counts: who is behind', () => {
  it('counts only what is done, per site and year, against 4 (county) and 2 (department); none for the city', async () => {
    // The education bureau (a city department) held two interviews and two consultations, done, in 2026 — one
    // starting at 00:30 on 1 January China Standard Time (still 2025 in UTC) — and one in 2025.
    const edu = (await adminQuery<{ id: string }>(t, "select id from site where code = 'edu'"))[0]!.id;
    const col = (
      await adminQuery<{ id: string }>(t, "select id from site_column where site_id = $1 and path = '/hdjl/zxft'", [
        edu,
      ])
    )[0]!.id;
    for (const at of ['2025-12-31T16:30:00Z', '2026-06-01T02:00:00Z', '2025-06-01T02:00:00Z']) {
      await adminQuery(
        t,
        `insert into interview (id, site_id, topic, description, guests, starts_at, status, column_id, created_at, updated_at)
         values ($1, $2, '访谈', '说明', '[]', $3, 'PUBLISHED', $4, now(), now())`,
        [randomUUID(), edu, at, col],
      );
      await adminQuery(
        t,
        `insert into survey (id, site_id, kind, title, description, concern, opens_at, closes_at, questions, status, column_id, voter_salt, created_at, updated_at)
         values ($1, $2, 'SURVEY', '调查', '说明', '关切', $3::timestamptz - interval '7 days', $3, '[]', 'RESULT_PUBLISHED', $4, 'x', now(), now())`,
        [randomUUID(), edu, at, col],
      );
    }
    const Q =
      '{ interactionYearReport(year: 2026) { site kind interviews consultations interviewsMinimum consultationsMinimum behind } }';
    const all = ok(await t.gql(Q, {}, await t.tokenFor(demo.platformAdmin))) as unknown as Record<string, unknown>[];
    const bySite = Object.fromEntries(all.map((r) => [r.site, r]));
    expect(bySite.miyi).toEqual({
      site: 'miyi',
      kind: 'COUNTY_PORTAL',
      interviews: 1,
      consultations: 1,
      interviewsMinimum: 4,
      consultationsMinimum: 4,
      behind: true,
    });
    expect(bySite.edu).toMatchObject({ interviews: 2, consultations: 2, interviewsMinimum: 2, behind: false });
    expect(bySite.panzhihua).toMatchObject({ interviewsMinimum: null, consultationsMinimum: null, behind: false });
    const behind = ok(
      await t.gql(
        '{ interactionYearReport(year: 2026, behindOnly: true) { site } }',
        {},
        await t.tokenFor(demo.platformAdmin),
      ),
    ) as unknown as { site: string }[];
    expect(behind.map((r) => r.site)).toEqual(['miyi']);
    // A site's own people see their site only; another site's is reported like a missing one.
    const own = ok(await t.gql(Q, {}, await handler())) as unknown as { site: string }[];
    expect(own.map((r) => r.site)).toEqual(['miyi']);
    const foreign = await t.gql(
      '{ interactionYearReport(year: 2026, site: "edu") { site } }',
      {},
      await t.tokenFor(demo.admin(SITE)),
    );
    expect(codeOf(foreign)).toBe('NOT_FOUND');
    expect(codeOf(await t.gql(Q))).toBe('UNAUTHENTICATED');
  });
});
