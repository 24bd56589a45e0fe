/** Issue 7 part B: the log-in throttle under concurrency and tokens whose subject is not a user. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demo, reasonOf, startTestApp, type TestApp } from './helpers.ts';

let t: TestApp;
const LOGIN = 'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }';

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

describe('log-in throttle', () => {
  it('of 12 concurrent wrong passwords for one account from one address, at most 5 are checked', async () => {
    const e = demo.reviewer('miyi');
    const answers = await Promise.all(Array.from({ length: 12 }, () => t.gql(LOGIN, { e, p: 'Wrong#Password1' })));
    const reasons = answers.map(reasonOf);
    const checked = reasons.filter((r) => r === 'INVALID_CREDENTIALS').length;
    expect(checked).toBeLessThanOrEqual(5);
    expect(checked).toBeGreaterThan(0);
    expect(reasons.filter((r) => r === 'RATE_LIMITED').length).toBe(12 - checked);
    // The account stays locked, the right password included.
    expect(reasonOf(await t.gql(LOGIN, { e, p: 'Zhanqun#Demo2026' }))).toBe('RATE_LIMITED');
  });

  it('successful log-ins do not use up the address budget', async () => {
    for (let i = 0; i < 21; i++)
      expect(reasonOf(await t.gql(LOGIN, { e: demo.editor('edu'), p: 'Zhanqun#Demo2026' }))).toBe('OK');
  });
});

describe('access tokens', () => {
  it('a validly signed token whose sub is not a user id answers 401 TOKEN_INVALID', async () => {
    for (const sub of ['not-a-uuid', "1' or '1'='1", '00000000-0000-4000-8000-00000000000z', '']) {
      const token = t.app.jwt.sign({ sub }, { expiresIn: 60 });
      const r = await t.gql('{ me { user { email } } }', {}, token);
      expect([r.status, reasonOf(r)], sub).toEqual([401, 'TOKEN_INVALID']);
    }
    const noSub = t.app.jwt.sign({ foo: 1 }, { expiresIn: 60 });
    const r = await t.gql('{ me { user { email } } }', {}, noSub);
    expect([r.status, reasonOf(r)]).toEqual([401, 'TOKEN_INVALID']);
    const unknown = t.app.jwt.sign({ sub: '6f1c7a52-0000-4000-8000-000000000000' }, { expiresIn: 60 });
    expect(reasonOf(await t.gql('{ me { user { email } } }', {}, unknown))).toBe('TOKEN_INVALID');
  });
});
