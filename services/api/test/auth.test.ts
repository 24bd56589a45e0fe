import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOf, demo, reasonOf, startTestApp, type TestApp } from './helpers.ts';

let t: TestApp;
const LOGIN =
  'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken refreshToken expiresIn user { email } } }';
const REFRESH = 'mutation($r: String!) { refreshSession(refreshToken: $r) { accessToken refreshToken } }';
const PW = 'Zhanqun#Demo2026';

beforeAll(async () => {
  t = await startTestApp({ env: { LOGIN_MAX_FAILURES: '3' } });
});
afterAll(async () => {
  await t?.close();
});

describe('log-in', () => {
  it('returns a short-lived access token and a refresh token', async () => {
    const r = await t.gql(LOGIN, { e: demo.editor('miyi'), p: PW });
    expect(r.data!.login).toMatchObject({ expiresIn: 900, user: { email: demo.editor('miyi') } });
    expect(r.data!.login.refreshToken).toMatch(/^zqr_/);
    const me = await t.gql(
      '{ me { user { email } memberships { roles site { code } } } }',
      {},
      r.data!.login.accessToken,
    );
    expect(me.data!.me.memberships).toEqual([{ roles: ['EDITOR'], site: { code: 'miyi' } }]);
  });

  it('answers a wrong password and an unknown e-mail alike', async () => {
    const wrong = await t.gql(LOGIN, { e: demo.editor('edu'), p: 'Wrong#Password1' });
    const unknown = await t.gql(LOGIN, { e: 'nobody@nowhere.cn', p: 'Wrong#Password1' });
    expect(wrong.errors).toEqual(unknown.errors);
    expect(reasonOf(wrong)).toBe('INVALID_CREDENTIALS');
  });

  it('throttles repeated failures, even with the right password, and tells nothing more', async () => {
    const e = demo.reviewer('edu');
    for (let i = 0; i < 3; i++)
      expect(reasonOf(await t.gql(LOGIN, { e, p: 'Wrong#Password1' }))).toBe('INVALID_CREDENTIALS');
    expect(codeOf(await t.gql(LOGIN, { e, p: PW }))).toBe('RATE_LIMITED');
    expect(codeOf(await t.gql(LOGIN, { e: 'ghost@nowhere.cn', p: 'x' }))).not.toBe('OK');
  });

  it('refuses malformed, expired or foreign bearer tokens with 401', async () => {
    for (const bad of ['not-a-jwt', 'eyJhbGciOiJIUzI1NiJ9.e30.abc', 'zqt_unknown']) {
      const r = await t.gql('{ me { user { email } } }', {}, bad);
      expect([r.status, codeOf(r)]).toEqual([401, 'UNAUTHENTICATED']);
    }
    const foreign = t.app.jwt.sign({ sub: '00000000-0000-4000-8000-000000000000' }, { expiresIn: 60 });
    expect(codeOf(await t.gql('{ me { user { email } } }', {}, foreign))).toBe('UNAUTHENTICATED');
    const expired = t.app.jwt.sign({
      sub: '00000000-0000-4000-8000-000000000000',
      exp: Math.floor(Date.now() / 1000) - 10,
    } as never);
    expect(reasonOf(await t.gql('{ me { user { email } } }', {}, expired))).toBe('TOKEN_EXPIRED');
  });
});

describe('refresh tokens', () => {
  it('rotate on every use, and a reused one revokes the whole family', async () => {
    const first = (await t.gql(LOGIN, { e: demo.approver('miyi'), p: PW })).data!.login;
    const second = (await t.gql(REFRESH, { r: first.refreshToken })).data!.refreshSession;
    expect(second.refreshToken).not.toBe(first.refreshToken);
    const third = (await t.gql(REFRESH, { r: second.refreshToken })).data!.refreshSession;
    // The spent first token comes back: theft. The family (including the live third token) dies.
    expect(reasonOf(await t.gql(REFRESH, { r: first.refreshToken }))).toBe('REFRESH_TOKEN_REUSED');
    expect(reasonOf(await t.gql(REFRESH, { r: third.refreshToken }))).toBe('TOKEN_INVALID');
  });

  it('stop working after logout', async () => {
    const s = (await t.gql(LOGIN, { e: demo.approver('edu'), p: PW })).data!.login;
    expect((await t.gql('mutation($r: String!) { logout(refreshToken: $r) }', { r: s.refreshToken })).data).toEqual({
      logout: true,
    });
    expect(reasonOf(await t.gql(REFRESH, { r: s.refreshToken }))).toBe('TOKEN_INVALID');
  });
});

describe('memberships', () => {
  it('an outsourced membership stops working after its end date', async () => {
    const admin = await t.tokenFor(demo.admin('edu'));
    await t.gql(
      'mutation { createUser(input: { email: "vendor@x.cn", name: "外包运维", password: "Waibao#Guard2026", site: "edu" }) { id } }',
      {},
      admin,
    );
    const add = await t.gql(
      'mutation { addMember(input: { site: "edu", email: "vendor@x.cn", roles: [EDITOR], outsourced: true, outsourcedUntil: "2020-12-31" }) { id active outsourced } }',
      {},
      admin,
    );
    expect(add.data!.addMember).toMatchObject({ active: false, outsourced: true });
    const vendor = await t.tokenFor('vendor@x.cn', 'Waibao#Guard2026');
    expect((await t.gql('{ me { memberships { site { code } } } }', {}, vendor)).data!.me.memberships).toEqual([]);
    const extend = await t.gql(
      'mutation($id: ID!) { updateMember(input: { id: $id, outsourcedUntil: "2099-12-31" }) { active } }',
      { id: add.data!.addMember.id },
      admin,
    );
    expect(extend.data!.updateMember.active).toBe(true);
    expect((await t.gql('{ me { memberships { site { code } } } }', {}, vendor)).data!.me.memberships).toEqual([
      { site: { code: 'edu' } },
    ]);
  });

  it('requires an end date for outsourced staff and keeps at least one site admin', async () => {
    const admin = await t.tokenFor(demo.admin('edu'));
    const noEnd = await t.gql(
      'mutation { addMember(input: { site: "edu", email: "admin@miyi.zhanqun.local", roles: [VIEWER], outsourced: true }) { id } }',
      {},
      admin,
    );
    expect(noEnd.errors![0]!.extensions.field).toBe('outsourcedUntil');
    const site = await t.gql('{ site(code: "edu") { members { id roles } } }', {}, admin);
    const only = site.data!.site.members.find((m: { roles: string[] }) => m.roles.includes('SITE_ADMIN'));
    expect(reasonOf(await t.gql('mutation($id: ID!) { removeMember(id: $id) }', { id: only.id }, admin))).toBe(
      'LAST_SITE_ADMIN',
    );
    expect(
      reasonOf(
        await t.gql(
          'mutation($id: ID!) { updateMember(input: { id: $id, roles: [EDITOR] }) { id } }',
          { id: only.id },
          admin,
        ),
      ),
    ).toBe('LAST_SITE_ADMIN');
  });

  it('a column-limited membership must point at a column of the same site', async () => {
    const admin = await t.tokenFor(demo.admin('edu'));
    const cols = await t.gql('{ site(code: "edu") { columns { id code } } }', {}, admin);
    const tzgg = cols.data!.site.columns.find((c: { code: string }) => c.code === 'tzgg').id;
    const r = await t.gql(
      'mutation($c: ID) { addMember(input: { site: "edu", email: "editor@miyi.zhanqun.local", roles: [EDITOR], columnId: $c }) { column { code } roles } }',
      { c: tzgg },
      admin,
    );
    expect(r.data!.addMember).toEqual({ column: { code: 'tzgg' }, roles: ['EDITOR'] });
  });
});

describe('API tokens', () => {
  it('are shown once, act for their site only, and stop when revoked', async () => {
    const admin = await t.tokenFor(demo.admin('miyi'));
    const created = await t.gql(
      'mutation($e: DateTime!) { createApiToken(input: { site: "miyi", name: "主题", scopes: [READ_PUBLISHED], expiresAt: $e }) { token apiToken { id name scopes } } }',
      { e: new Date(Date.now() + 30 * 86_400_000).toISOString() },
      admin,
    );
    const { token, apiToken } = created.data!.createApiToken;
    expect(token).toMatch(/^zqt_[A-Za-z0-9_-]{43}$/);
    const listed = await t.gql('{ site(code: "miyi") { apiTokens { id name lastUsedAt } } }', {}, admin);
    expect(JSON.stringify(listed.data)).not.toContain(token);
    const use = await t.gql('{ site(code: "miyi") { code } me { user { email } } }', {}, token);
    expect(use.data).toEqual({ site: { code: 'miyi' }, me: null });
    const used = await t.gql('{ site(code: "miyi") { apiTokens { id lastUsedAt } } }', {}, admin);
    expect(used.data!.site.apiTokens.find((x: { id: string }) => x.id === apiToken.id).lastUsedAt).not.toBeNull();
    await t.gql('mutation($id: ID!) { revokeApiToken(id: $id) { revokedAt } }', { id: apiToken.id }, admin);
    expect(codeOf(await t.gql('{ site(code: "miyi") { code } }', {}, token))).toBe('UNAUTHENTICATED');
  });

  it('must expire within the limit', async () => {
    const admin = await t.tokenFor(demo.admin('miyi'));
    const r = await t.gql(
      'mutation { createApiToken(input: { site: "miyi", name: "x", scopes: [IMPORT], expiresAt: "2000-01-01T00:00:00Z" }) { token } }',
      {},
      admin,
    );
    expect(r.errors![0]!.extensions.field).toBe('expiresAt');
  });
});
