/**
 * The demo's 县长信箱 is not empty: seedDemoLetters writes letters through the public door (with a solved
 * proof of work), answers them as the handler and publishes their masked replies through the three-level
 * review; the theme's mailbox column and reply pages show them, never the writers.
 */
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../api/test/helpers.ts';
import { DEMO_LETTERS, MAILBOX_PATH, seedDemoLetters } from '../src/demo-letters.ts';
import { buildTheme } from '../src/server.ts';

let t: TestApp;
let apiUrl: string;
let theme: Awaited<ReturnType<typeof buildTheme>>;

beforeAll(async () => {
  t = await startTestApp();
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  apiUrl = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  // No HTTP cache of API answers: the page is asked before and after the seed, within its max-age.
  theme = await buildTheme({ apiUrl, apiCache: false });
}, 120_000);
afterAll(async () => {
  await theme?.app.close();
  await t?.close();
});

const get = (path: string) => theme.app.inject({ method: 'GET', url: path, headers: { host: 'miyi.localhost' } });

it('publishes the answered letters once, and the theme shows them in 县长信箱 without their writers', async () => {
  expect((await get(`${MAILBOX_PATH}/`)).body).not.toContain(DEMO_LETTERS[0].subject);
  expect(await seedDemoLetters(apiUrl)).toBe(DEMO_LETTERS.length);
  expect(await seedDemoLetters(apiUrl)).toBe(0); // idempotent: the column already shows replies
  const column = await get(`${MAILBOX_PATH}/`);
  expect(column.statusCode).toBe(200);
  for (const l of DEMO_LETTERS) expect(column.body).toContain(l.subject);
  // The first reply's page: the answering body and the reply, never the writer or the letter's own text.
  const href = column.body.match(new RegExp(`href="(${MAILBOX_PATH}/[^"]+\\.html)"`))?.[1];
  expect(href).toBeDefined();
  const reply = await get(href!);
  expect(reply.statusCode).toBe(200);
  const letter = DEMO_LETTERS.find((l) => reply.body.includes(l.subject))!;
  expect(letter).toBeDefined();
  expect(reply.body).toContain(letter.answeringBody);
  expect(reply.body).toContain(letter.reply.slice(0, 20));
  expect(reply.body).not.toContain(letter.contact.name);
  expect(reply.body).not.toContain(letter.body.slice(6, 20));
  for (const l of DEMO_LETTERS) for (const v of Object.values(l.contact)) expect(column.body).not.toContain(v);
  // As the handler sees them: answered, with their replies published.
  const letters = await t.gql(
    '{ letters(site: "miyi", status: ANSWERED) { edges { node { subject replyItemId } } } }',
    {},
    await t.tokenFor('handler@miyi.zhanqun.local'),
  );
  const answered = letters.data!.letters.edges.map((e: { node: { subject: string; replyItemId: string } }) => e.node);
  expect(answered.map((n: { subject: string }) => n.subject).sort()).toEqual(DEMO_LETTERS.map((l) => l.subject).sort());
  expect(answered.every((n: { replyItemId: string | null }) => !!n.replyItemId)).toBe(true);
}, 120_000);
