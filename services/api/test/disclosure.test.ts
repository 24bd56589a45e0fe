/**
 * Disclosure on request (依申请公开; 2017 §1.3, 条例 2019 §29–§36) through the API: the online form on the Friday
 * before National Day 2026, a correction (补正) that stops and restarts the clock, a third-party consultation not
 * counted, the office head's extension, the answer's type, receipt by channel, and the annual report's figures.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOf, demo, reasonOf, startTestApp, type TestApp } from './helpers.ts';
import { solveAltcha } from './interaction-helpers.ts';

let t: TestApp;
let clock = new Date('2026-09-25T02:00:00Z');
const SITE = 'miyi';
const R =
  'id status receivedOn dueOn correctedOn extensionApprover thirdPartyConsultations { from to party } answerType';
const handler = () => t.tokenFor(demo.handler(SITE));
const applicant = { name: '张三', phone: '13600001234' };

beforeAll(async () => {
  t = await startTestApp({ now: () => clock });
});
afterAll(async () => {
  await t?.close();
});

describe('disclosure on request', () => {
  let id = '';
  const run = async (mutation: string, vars: Record<string, unknown>) => {
    const r = await t.gql(mutation, { id, ...vars }, await handler());
    expect(r.errors).toBeUndefined();
    return Object.values(r.data!)[0] as Record<string, unknown>;
  };

  it('takes the online form: received that day, due in 20 working days (skipping 中秋 and 国庆)', async () => {
    const r = await t.gql(
      'mutation($i: SubmitDisclosureRequestInput!) { submitDisclosureRequest(input: $i) { trackingCode receivedOn dueOn } }',
      {
        i: {
          site: SITE,
          applicant,
          description: '2026年米易县道路建设项目的招标文件',
          deliveryForm: 'EMAIL',
          altcha: await solveAltcha(t),
        },
      },
    );
    expect(r.data!.submitDisclosureRequest).toMatchObject({ receivedOn: '2026-09-25', dueOn: '2026-10-29' });
    const list = await t.gql(
      `{ disclosureRequests(site: "${SITE}") { edges { node { ${R} applicant { name } } } } }`,
      {},
      await handler(),
    );
    id = list.data!.disclosureRequests.edges[0].node.id;
    expect(list.data!.disclosureRequests.edges[0].node.applicant.name).toBe('张三');
    const audit = await t.gql(
      `{ auditLog(site: "${SITE}", action: "disclosure.readApplicant") { edges { node { targetId } } } }`,
      {},
      await t.tokenFor(demo.admin(SITE)),
    );
    expect(audit.data!.auditLog.edges).toEqual([{ node: { targetId: id } }]);
  });

  it('stops the clock for a correction and restarts the 20 days from the corrected request', async () => {
    const asked = await run(
      `mutation($id: ID!) { requestDisclosureCorrection(id: $id, note: "请写明项目名称") { ${R} } }`,
      {},
    );
    expect(asked).toMatchObject({ status: 'AWAITING_CORRECTION', dueOn: null });
    const corrected = await run(
      `mutation($id: ID!) { recordDisclosureCorrection(id: $id, correctedOn: "2026-10-09") { ${R} } }`,
      {},
    );
    expect(corrected).toMatchObject({ status: 'OPEN', correctedOn: '2026-10-09', dueOn: '2026-11-05' });
  });

  it('does not count a third-party consultation, and extends once with the office head’s approval', async () => {
    const consulted = await run(
      `mutation($id: ID!) { recordThirdPartyConsultation(input: { id: $id, from: "2026-10-12", to: "2026-10-30", party: "中标企业" }) { ${R} } }`,
      {},
    );
    expect(consulted).toMatchObject({ dueOn: '2026-11-26' }); // 10 Oct · 2–6, 9–13, 16–20, 23–26 Nov
    const extended = await run(
      `mutation($id: ID!) { extendDisclosureRequest(id: $id, approver: "县政务公开办主任 李明", reason: "涉及第三方") { ${R} } }`,
      {},
    );
    expect(extended).toMatchObject({ dueOn: '2026-12-24', extensionApprover: '县政务公开办主任 李明' });
    const again = await t.gql(
      'mutation($id: ID!) { extendDisclosureRequest(id: $id, approver: "x", reason: "x") { id } }',
      { id },
      await handler(),
    );
    expect(reasonOf(again)).toBe('DISCLOSURE_ALREADY_EXTENDED');
    const answered = await run(
      `mutation($id: ID!) { answerDisclosureRequest(id: $id, type: PARTLY_DISCLOSED, answer: "部分公开，涉及商业秘密部分不予公开") { ${R} } }`,
      {},
    );
    expect(answered).toMatchObject({ status: 'ANSWERED', answerType: 'PARTLY_DISCLOSED' });
  });

  it('counts a postal request from the day it was signed for, and an e-mail one only once confirmed', async () => {
    const reg = (extra: Record<string, unknown>) =>
      t.gql(
        `mutation($i: RegisterDisclosureRequestInput!) { registerDisclosureRequest(input: $i) { ${R} } }`,
        {
          i: {
            site: SITE,
            applicant,
            description: '某文件',
            deliveryForm: 'PAPER',
            submittedOn: '2026-09-28',
            ...extra,
          },
        },
        // biome-ignore lint/suspicious/noExplicitAny: test shorthand
        undefined as any,
      );
    expect(codeOf(await reg({ channel: 'REGISTERED_POST', signedForOn: '2026-09-30' }))).toBe('UNAUTHENTICATED');
    const h = await handler();
    const post = await t.gql(
      `mutation($i: RegisterDisclosureRequestInput!) { registerDisclosureRequest(input: $i) { ${R} } }`,
      {
        i: {
          site: SITE,
          applicant,
          description: '某文件',
          deliveryForm: 'PAPER',
          channel: 'REGISTERED_POST',
          submittedOn: '2026-09-28',
          signedForOn: '2026-09-30',
        },
      },
      h,
    );
    expect(post.data!.registerDisclosureRequest).toMatchObject({ receivedOn: '2026-09-30', dueOn: '2026-11-03' });
    const mail = await t.gql(
      `mutation($i: RegisterDisclosureRequestInput!) { registerDisclosureRequest(input: $i) { ${R} } }`,
      {
        i: {
          site: SITE,
          applicant,
          description: '另一文件',
          deliveryForm: 'EMAIL',
          channel: 'EMAIL',
          submittedOn: '2026-09-28',
        },
      },
      h,
    );
    expect(mail.data!.registerDisclosureRequest).toMatchObject({ receivedOn: null, dueOn: null });
  });

  it('gives the annual report its figures, and is not for the site’s other staff', async () => {
    clock = new Date('2026-11-10T02:00:00Z');
    const q = `{ disclosureYearReport(site: "${SITE}", year: 2026) { received answered answeredByType { type count } overdue carriedOver } }`;
    const r = await t.gql(q, {}, await handler());
    expect(r.data!.disclosureYearReport).toEqual({
      received: 3,
      answered: 1,
      answeredByType: [{ type: 'PARTLY_DISCLOSED', count: 1 }],
      overdue: 1, // the postal request, due 3 November
      carriedOver: 2,
    });
    expect(codeOf(await t.gql(q, {}, await t.tokenFor(demo.editor(SITE))))).toBe('FORBIDDEN');
  });
});
