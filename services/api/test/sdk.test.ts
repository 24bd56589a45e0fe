import { createClient, ZhanqunError } from '@zhanqun/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demo, startTestApp, type TestApp } from './helpers.ts';

let t: TestApp;
let url: string;

beforeAll(async () => {
  t = await startTestApp();
  url = await t.app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await t?.close();
});

describe('@zhanqun/sdk against the running API', () => {
  it('logs in, queries, refreshes and logs out', async () => {
    const client = createClient({ url });
    await client.login(demo.admin('miyi'), 'Zhanqun#Demo2026');
    const data = await client.request<{ me: { user: { email: string } } }>('{ me { user { email } } }');
    expect(data.me.user.email).toBe(demo.admin('miyi'));
    const first = client.session!.refreshToken;
    await client.refresh();
    expect(client.session!.refreshToken).not.toBe(first);
    await client.logout();
    expect(client.session).toBeNull();
  });

  it('raises errors with their stable code, reason and field', async () => {
    const client = createClient({ url });
    const err = await client.login('nobody@x.cn', 'wrong').catch((e) => e);
    expect(err).toBeInstanceOf(ZhanqunError);
    expect([err.code, err.reason]).toEqual(['UNAUTHENTICATED', 'INVALID_CREDENTIALS']);
  });

  it('lets themes name the site by host name (Host header)', async () => {
    // fetch() will not set Host, so this goes through inject, as a reverse proxy would send it.
    const ask = (host: string) =>
      t.app.inject({
        method: 'POST',
        url: '/graphql',
        headers: { host },
        payload: { query: '{ items(first: 1) { edges { cursor } } }' },
      });
    expect((await ask('miyi.localhost')).json()).toEqual({ data: { items: { edges: [] } } });
    const unknown = (await ask('elsewhere.example')).json();
    expect(unknown.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'site' });
  });
});
