/**
 * Files through the media pipeline and the disclosure jobs (issue 9): a citizen's attachment uploaded without an
 * account through the public-write guard (types, size, ALTCHA, throttle → 429) and sent with a letter, readable by
 * the site's staff only; the disclosure answer document delivered by signed URL; the disclosure-deadlines sweep
 * with its reminder and escalation once per deadline, the uncomputable flag for a year without calendar data,
 * filled in once the year is entered; and the handlers' list of requests as a Relay connection.
 */
import { createHash, randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeCtx, sweepDisclosureDeadlines, uploadMedia } from '@zhanqun/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOf, demo, type GqlResult, reasonOf, startTestApp, type TestApp } from './helpers.ts';
import { solveAltcha } from './interaction-helpers.ts';
import { pdfWith, upload } from './media/fixtures.ts';

let t: TestApp;
let clock = new Date('2026-11-02T02:00:00Z');
const SITE = 'miyi';
const handler = () => t.tokenFor(demo.handler(SITE));

beforeAll(async () => {
  t = await startTestApp({ now: () => clock, env: { PUBLIC_WRITE_PER_ADDRESS: '3' } });
}, 120_000);
afterAll(async () => {
  await t?.close();
});

interface Uploaded {
  status: number;
  headers: Record<string, unknown>;
  body: { attachment?: { mediaId: string; name: string; mediaType: string }; error?: { code: string; reason: string } };
}

/** POST /public/attachments as a theme's form would send it: site and altcha first, then the file. */
async function publicUpload(
  file: { name: string; bytes: Buffer },
  address: string,
  altcha?: string,
): Promise<Uploaded> {
  const fd = new FormData();
  fd.set('site', SITE);
  fd.set('altcha', altcha ?? (await solveAltcha(t)));
  fd.set('file', new Blob([new Uint8Array(file.bytes)]), file.name);
  const req = new Request('http://localhost/public/attachments', { method: 'POST', body: fd });
  const res = await t.app.inject({
    method: 'POST',
    url: '/public/attachments',
    remoteAddress: address,
    headers: { 'content-type': req.headers.get('content-type')! },
    payload: Buffer.from(await req.arrayBuffer()),
  });
  return { status: res.statusCode, headers: res.headers, body: res.json() };
}

/** A file of this site uploaded by staff (the same use case as POST /media). */
async function staffFile(site: string, name: string, bytes: Buffer) {
  const path = join(tmpdir(), `zq-ifj-${randomUUID()}`);
  writeFileSync(path, bytes);
  return uploadMedia(
    t.platform.systemCtx('test:files'),
    { site, title: name },
    { path, name, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') },
  );
}

describe('a letter’s attachments from the public, through the media pipeline', () => {
  let mediaId = '';

  it('takes an image or PDF through the guard, and refuses other types, disguised files and missing proofs', async () => {
    const pdf = await publicUpload({ name: '现场照片说明.pdf', bytes: pdfWith('road damage') }, '10.0.0.1');
    expect(pdf.status).toBe(201);
    expect(pdf.body.attachment).toMatchObject({ name: '现场照片说明.pdf', mediaType: 'application/pdf' });
    mediaId = pdf.body.attachment!.mediaId;
    const text = await publicUpload({ name: 'note.txt', bytes: Buffer.from('hello') }, '10.0.0.2');
    expect([text.status, text.body.error?.reason]).toEqual([415, 'MEDIA_TYPE_NOT_ALLOWED']);
    const disguised = await publicUpload({ name: 'photo.jpg', bytes: pdfWith('not a photo') }, '10.0.0.2');
    expect([disguised.status, disguised.body.error?.reason]).toEqual([415, 'MEDIA_TYPE_MISMATCH']);
    const noProof = await publicUpload({ name: 'a.pdf', bytes: pdfWith('x') }, '10.0.0.3', 'bm90IGEgcHJvb2Y=');
    expect([noProof.status, noProof.body.error?.reason]).toEqual([400, 'ALTCHA_INVALID']);
    const big = await publicUpload(
      { name: 'big.pdf', bytes: Buffer.concat([pdfWith('x'), Buffer.alloc(11 * 1024 * 1024)]) },
      '10.0.0.4',
    );
    expect([big.status, big.body.error?.reason]).toEqual([413, 'MEDIA_TOO_LARGE']);
    // Not public: nobody without the site's reach can fetch it.
    expect((await t.app.inject({ url: `/media/${mediaId}/original` })).statusCode).toBe(404);
  });

  it('answers a flood of uploads from one address with 429 and retry-after', async () => {
    const statuses: number[] = [];
    let retryAfter: unknown;
    for (let i = 0; i < 10; i++) {
      const r = await publicUpload({ name: 'x.pdf', bytes: pdfWith(`flood ${i}`) }, '10.0.0.9', 'bm8=');
      statuses.push(r.status);
      if (r.status === 429) retryAfter = r.headers['retry-after'];
    }
    expect(statuses).toEqual([...Array(9).fill(400), 429]); // 3 per address × 3 files per letter
    expect(Number(retryAfter)).toBeGreaterThan(0);
  });

  it('goes with the letter; its handlers read it, the public does not; a staff file cannot be attached', async () => {
    const submit = async (attachments: string[]) =>
      t.app.inject({
        method: 'POST',
        url: '/graphql',
        remoteAddress: '10.0.1.1',
        payload: {
          query: 'mutation($i: SubmitLetterInput!) { submitLetter(input: $i) { trackingCode } }',
          variables: {
            i: {
              site: SITE,
              subject: '道路破损',
              body: '见附件。',
              contact: { name: '王五', phone: '13500001111' },
              mayPublish: false,
              attachments,
              altcha: await solveAltcha(t),
            },
          },
        },
      });
    const staff = await staffFile(SITE, 'internal.pdf', pdfWith('internal'));
    const refused = (await submit([staff.id])).json() as GqlResult;
    expect([codeOf(refused), refused.errors?.[0]?.extensions.field]).toEqual(['NOT_FOUND', 'attachments']);
    const sent = (await submit([mediaId])).json() as GqlResult;
    expect(sent.errors).toBeUndefined();
    const h = await handler();
    const list = await t.gql(
      `{ letters(site: "${SITE}") { edges { node { subject attachments { mediaId name mediaType url } } } } }`,
      {},
      h,
    );
    expect(list.data!.letters.edges).toEqual([
      {
        node: {
          subject: '道路破损',
          attachments: [
            { mediaId, name: '现场照片说明.pdf', mediaType: 'application/pdf', url: `/media/${mediaId}/original` },
          ],
        },
      },
    ]);
    const asHandler = await t.app.inject({
      url: `/media/${mediaId}/original`,
      headers: { authorization: `Bearer ${h}` },
    });
    expect(asHandler.statusCode).toBe(200);
    expect(asHandler.headers['cache-control']).toContain('no-store');
    expect((await t.app.inject({ url: `/media/${mediaId}/original` })).statusCode).toBe(404);
  });
});

const sys = () =>
  makeCtx({
    actor: { kind: 'system', name: 'test:disclosure-deadlines' },
    rootEm: t.platform.orm.em,
    directory: t.platform.directory,
    now: () => clock,
  });
const REGISTER = `mutation($i: RegisterDisclosureRequestInput!) { registerDisclosureRequest(input: $i) {
  id receivedOn dueOn deadlineUncomputable } }`;
const register = async (submittedOn: string, description: string) =>
  t.gql(
    REGISTER,
    {
      i: {
        site: SITE,
        applicant: { name: '张三', phone: '13600001234' },
        description,
        deliveryForm: 'EMAIL',
        channel: 'IN_PERSON',
        submittedOn,
      },
    },
    await handler(),
  );

describe('disclosure requests: reminders, escalations, the uncomputable flag, pages and the answer document', () => {
  let onTime = '';
  let late = '';

  it('reminds once before the due date and escalates once after it', async () => {
    clock = new Date('2026-11-02T02:00:00Z');
    const r = await register('2026-11-02', '2026年县财政预算执行情况');
    expect(r.data!.registerDisclosureRequest).toMatchObject({ dueOn: '2026-11-30', deadlineUncomputable: false });
    onTime = r.data!.registerDisclosureRequest.id;
    clock = new Date('2026-11-20T02:00:00Z');
    expect(await sweepDisclosureDeadlines(sys())).toEqual({ reminded: 0, escalated: 0, deadlinesFilled: 0 });
    clock = new Date('2026-11-25T02:00:00Z'); // Wednesday: due within 3 working days (26, 27, 30)
    expect(await sweepDisclosureDeadlines(sys())).toEqual({ reminded: 1, escalated: 0, deadlinesFilled: 0 });
    expect(await sweepDisclosureDeadlines(sys())).toEqual({ reminded: 0, escalated: 0, deadlinesFilled: 0 });
    clock = new Date('2026-12-01T02:00:00Z');
    expect(await sweepDisclosureDeadlines(sys())).toEqual({ reminded: 0, escalated: 1, deadlinesFilled: 0 });
    expect(await sweepDisclosureDeadlines(sys())).toEqual({ reminded: 0, escalated: 0, deadlinesFilled: 0 });
    const actions: string[] = [];
    for (const action of ['disclosure.remind', 'disclosure.escalate']) {
      const audit = await t.gql(
        `{ auditLog(site: "${SITE}", action: "${action}") { edges { node { action targetId actor { name } } } } }`,
        {},
        await t.tokenFor(demo.admin(SITE)),
      );
      for (const e of audit.data!.auditLog.edges) if (e.node.targetId === onTime) actions.push(e.node.action);
    }
    expect(actions).toEqual(['disclosure.remind', 'disclosure.escalate']); // once each
  });

  it('keeps a request whose deadline needs a year without calendar data, flagged, and fills it in later', async () => {
    clock = new Date('2026-12-10T02:00:00Z');
    const r = await register('2026-12-10', '2027年度预算草案');
    expect(r.data!.registerDisclosureRequest).toMatchObject({
      receivedOn: '2026-12-10',
      dueOn: null,
      deadlineUncomputable: true,
    });
    late = r.data!.registerDisclosureRequest.id;
    expect((await sweepDisclosureDeadlines(sys())).deadlinesFilled).toBe(0);
    const set = await t.gql(
      `mutation { setWorkdayExceptions(input: { year: 2027, source: "国办发明电〔2026〕test", days: [
        { date: "2027-01-01", off: true, name: "元旦" }] }) { date } }`,
      {},
      await t.tokenFor(demo.platformAdmin),
    );
    expect(set.errors).toBeUndefined();
    expect(await sweepDisclosureDeadlines(sys())).toEqual({ reminded: 0, escalated: 0, deadlinesFilled: 1 });
    const list = await t.gql(
      `{ disclosureRequests(site: "${SITE}") { edges { node { id dueOn deadlineUncomputable remindedAt escalatedAt } } } }`,
      {},
      await handler(),
    );
    const byId = Object.fromEntries(
      list.data!.disclosureRequests.edges.map((e: { node: { id: string } }) => [e.node.id, e.node]),
    );
    // 11, 14–18, 21–25, 28–31 December, then 元旦, then 4–8 January: the 20th working day.
    expect(byId[late]).toMatchObject({ dueOn: '2027-01-08', deadlineUncomputable: false, remindedAt: null });
    expect(byId[onTime]).toMatchObject({ remindedAt: expect.any(String), escalatedAt: expect.any(String) });
  });

  it('pages the handlers’ list newest first with typed cursors', async () => {
    clock = new Date('2026-12-11T02:00:00Z');
    const third = (await register('2026-12-11', '第三份申请')).data!.registerDisclosureRequest.id;
    const h = await handler();
    const one = await t.gql(
      'query($a: String) { disclosureRequests(site: "miyi", first: 2, after: $a) { edges { node { id } } pageInfo { hasNextPage endCursor } } }',
      {},
      h,
    );
    expect(one.data!.disclosureRequests.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([third, late]);
    expect(one.data!.disclosureRequests.pageInfo.hasNextPage).toBe(true);
    const two = await t.gql(
      'query($a: String) { disclosureRequests(site: "miyi", first: 2, after: $a) { edges { node { id } } pageInfo { hasNextPage } } }',
      { a: one.data!.disclosureRequests.pageInfo.endCursor },
      h,
    );
    expect(two.data!.disclosureRequests).toEqual({
      edges: [{ node: { id: onTime } }],
      pageInfo: { hasNextPage: false },
    });
    const bad = await t.gql(
      '{ disclosureRequests(site: "miyi", after: "WyJub3QtYS11dWlkIl0") { edges { cursor } } }',
      {},
      h,
    );
    expect([codeOf(bad), reasonOf(bad)]).toEqual(['BAD_USER_INPUT', 'INVALID_INPUT']);
  });

  it('delivers the answer document through the media pipeline, by signed URL only', async () => {
    // The handler uploads the document through POST /media (the interaction role may upload, nothing more).
    const up = await upload(
      t,
      await handler(),
      { site: SITE, title: '政府信息公开告知书.pdf' },
      { name: 'gaozhishu.pdf', bytes: pdfWith('answer') },
    );
    expect(up.status).toBe(201);
    const doc = { id: up.body.media!.id as string };
    const foreign = await staffFile('edu', 'other.pdf', pdfWith('edu'));
    const h = await handler();
    const A =
      'mutation($id: ID!, $d: ID) { answerDisclosureRequest(id: $id, type: DISCLOSED, answer: "予以公开，见附件", document: $d) { status answerDocument { id name url } } }';
    const wrong = await t.gql(A, { id: late, d: foreign.id }, h);
    expect([codeOf(wrong), wrong.errors?.[0]?.extensions.field]).toEqual(['NOT_FOUND', 'document']);
    const r = await t.gql(A, { id: late, d: doc.id }, h);
    expect(r.errors).toBeUndefined();
    const delivered = r.data!.answerDisclosureRequest.answerDocument;
    expect(delivered).toMatchObject({ id: doc.id, name: '政府信息公开告知书.pdf' });
    expect(delivered.url).toMatch(new RegExp(`^/media/${doc.id}/original\\?exp=\\d+&sig=`));
    const signed = await t.app.inject({ url: delivered.url });
    expect([signed.statusCode, signed.headers['content-type']]).toEqual([200, 'application/pdf']);
    expect((await t.app.inject({ url: `/media/${doc.id}/original` })).statusCode).toBe(404);
    // The applicant's request, answered, leaves the sweep alone.
    expect(await sweepDisclosureDeadlines(sys())).toEqual({ reminded: 0, escalated: 0, deadlinesFilled: 0 });
  });
});
