/** Issue 7 part B: change own password, reset a password, disable and re-enable a user — sessions end at once. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOf, demo, reasonOf, startTestApp, type TestApp } from './helpers.ts';

let t: TestApp;
const PW = 'Zhanqun#Demo2026';
const NEW_PW = 'Neue#Kennwort2027';
const LOGIN = 'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken refreshToken } }';
const REFRESH = 'mutation($r: String!) { refreshSession(refreshToken: $r) { accessToken } }';
const ME = '{ me { user { email } } }';
const CHANGE = `mutation($c: String!, $n: String!) { changePassword(input: { currentPassword: $c, newPassword: $n }) {
  accessToken refreshToken } }`;
const RESET = `mutation($u: ID!, $p: String!, $s: String) { resetPassword(input: { userId: $u, newPassword: $p, site: $s }) {
  id email } }`;
const DISABLE = `mutation($u: ID!, $d: Boolean!, $s: String) { setUserDisabled(input: { userId: $u, disabled: $d, site: $s,
  reason: "离职" }) { id disabled } }`;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

async function session(email: string, password = PW) {
  const r = await t.gql(LOGIN, { e: email, p: password });
  if (!r.data) throw new Error(JSON.stringify(r.errors));
  return r.data.login as { accessToken: string; refreshToken: string };
}

async function userId(email: string): Promise<string> {
  const s = await session(email);
  const r = await t.app.inject({
    method: 'POST',
    url: '/graphql',
    headers: { authorization: `Bearer ${s.accessToken}` },
    payload: { query: '{ me { user { id } } }' },
  });
  return r.json().data.me.user.id;
}

async function auditActions(site: string | null, token: string) {
  const r = await t.gql(
    'query($s: String) { auditLog(site: $s, first: 5) { edges { node { action targetId changes } } } }',
    { s: site },
    token,
  );
  return r.data!.auditLog.edges.map((e: { node: unknown }) => e.node);
}

describe('changePassword', () => {
  it('needs the current password, ends other sessions and returns a fresh one', async () => {
    const email = demo.editor('edu');
    const other = await session(email);
    const mine = await session(email);
    const wrong = await t.gql(CHANGE, { c: 'Wrong#Password1', n: NEW_PW }, mine.accessToken);
    expect(reasonOf(wrong)).toBe('INVALID_CREDENTIALS');
    expect(reasonOf(await t.gql(CHANGE, { c: PW, n: 'short' }, mine.accessToken))).toBe('WEAK_PASSWORD');
    const r = await t.gql(CHANGE, { c: PW, n: NEW_PW }, mine.accessToken);
    expect(r.errors).toBeUndefined();
    const fresh = r.data!.changePassword;
    // The other session (and the one used to change) are over: access and refresh tokens alike.
    for (const s of [other, mine]) {
      expect([(await t.gql(ME, {}, s.accessToken)).status, reasonOf(await t.gql(ME, {}, s.accessToken))]).toEqual([
        401,
        'TOKEN_INVALID',
      ]);
      expect(codeOf(await t.gql(REFRESH, { r: s.refreshToken }))).toBe('UNAUTHENTICATED');
    }
    expect((await t.gql(ME, {}, fresh.accessToken)).data!.me.user.email).toBe(email);
    expect(codeOf(await t.gql(REFRESH, { r: fresh.refreshToken }))).toBe('OK');
    expect(reasonOf(await t.gql(LOGIN, { e: email, p: PW }))).toBe('INVALID_CREDENTIALS');
    await session(email, NEW_PW);
    // Recorded on the platform chain (an account belongs to no site), never with the password.
    const platform = await t.tokenFor(demo.platformAdmin);
    const [rec] = await auditActions(null, platform);
    expect(rec).toMatchObject({ action: 'user.password.change' });
    expect(JSON.stringify(rec)).not.toContain(NEW_PW);
  });

  it('is for signed-in people only', async () => {
    expect(codeOf(await t.gql(CHANGE, { c: PW, n: NEW_PW }))).toBe('UNAUTHENTICATED');
  });
});

describe('resetPassword and setUserDisabled', () => {
  it('a site admin resets a member’s password: the member’s sessions end at once, audited on the site', async () => {
    const email = demo.reviewer('miyi');
    const id = await userId(email);
    const before = await session(email);
    const admin = await t.tokenFor(demo.admin('miyi'));
    const r = await t.gql(RESET, { u: id, p: NEW_PW, s: 'miyi' }, admin);
    expect(r.data).toEqual({ resetPassword: { id, email } });
    expect(reasonOf(await t.gql(ME, {}, before.accessToken))).toBe('TOKEN_INVALID');
    expect(codeOf(await t.gql(REFRESH, { r: before.refreshToken }))).toBe('UNAUTHENTICATED');
    await session(email, NEW_PW);
    expect((await auditActions('miyi', admin))[0]).toMatchObject({ action: 'user.password.reset', targetId: id });
  });

  it('a site admin cannot reach users beyond their sites, nor platform admins, nor without naming the site', async () => {
    const admin = await t.tokenFor(demo.admin('miyi'));
    const foreign = await userId(demo.editor('panzhihua'));
    const platformAdmin = await userId(demo.platformAdmin);
    expect(codeOf(await t.gql(RESET, { u: foreign, p: NEW_PW, s: 'miyi' }, admin))).toBe('NOT_FOUND');
    expect(codeOf(await t.gql(RESET, { u: platformAdmin, p: NEW_PW, s: 'miyi' }, admin))).toBe('NOT_FOUND');
    expect(codeOf(await t.gql(DISABLE, { u: foreign, d: true, s: 'miyi' }, admin))).toBe('NOT_FOUND');
    expect(codeOf(await t.gql(RESET, { u: await userId(demo.editor('miyi')), p: NEW_PW }, admin))).toBe('FORBIDDEN');
    // Editors do not care for accounts.
    const editor = await t.tokenFor(demo.editor('miyi'));
    expect(codeOf(await t.gql(DISABLE, { u: await userId(demo.approver('miyi')), d: true, s: 'miyi' }, editor))).toBe(
      'FORBIDDEN',
    );
  });

  it('disabling ends every session at once; re-enabling lets the user sign in again; both audited', async () => {
    const email = demo.approver('panzhihua');
    const id = await userId(email);
    const s = await session(email);
    const platform = await t.tokenFor(demo.platformAdmin);
    expect((await t.gql(DISABLE, { u: id, d: true }, platform)).data).toEqual({
      setUserDisabled: { id, disabled: true },
    });
    expect([(await t.gql(ME, {}, s.accessToken)).status]).toEqual([401]);
    expect(codeOf(await t.gql(REFRESH, { r: s.refreshToken }))).toBe('UNAUTHENTICATED');
    expect(reasonOf(await t.gql(LOGIN, { e: email, p: PW }))).toBe('INVALID_CREDENTIALS');
    expect((await t.gql(DISABLE, { u: id, d: false }, platform)).data!.setUserDisabled.disabled).toBe(false);
    const again = await session(email);
    expect((await t.gql(ME, {}, again.accessToken)).data!.me.user.email).toBe(email);
    const actions = (await auditActions(null, platform)).map((a: { action: string }) => a.action);
    expect(actions.slice(0, 2)).toEqual(['user.enable', 'user.disable']);
    // Nobody disables themselves.
    const self = await userId(demo.platformAdmin);
    expect(codeOf(await t.gql(DISABLE, { u: self, d: true }, platform))).toBe('FORBIDDEN');
  });
});
