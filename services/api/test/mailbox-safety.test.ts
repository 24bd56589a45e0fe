/**
 * Safety of public writes: a flood from one address (or with one contact) gets 429 with retry-after and
 * writes nothing, while a real letter from elsewhere still gets through; the throttle lives in PostgreSQL,
 * so a second API instance on the same database counts the same hits; personal data never reaches the logs.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { demo, startTestApp, type TestApp } from './helpers.ts';
import { solveAltcha } from './interaction-helpers.ts';

let t: TestApp;
const SUBMIT = 'mutation($i: SubmitLetterInput!) { submitLetter(input: $i) { trackingCode } }';

const letter = async (over: Record<string, unknown> = {}) => ({
  site: 'miyi',
  subject: '噪音扰民',
  body: '夜间施工噪音很大。',
  contact: { name: '张三', phone: '13700001111' },
  mayPublish: false,
  altcha: await solveAltcha(t),
  ...over,
});

async function post(app: TestApp['app'], address: string, i: Record<string, unknown>) {
  return app.inject({
    method: 'POST',
    url: '/graphql',
    remoteAddress: address,
    payload: { query: SUBMIT, variables: { i } },
  });
}

async function letterCount(): Promise<number> {
  const r = await t.gql(
    '{ letters(site: "miyi", first: 100) { edges { node { id } } } }',
    {},
    await t.tokenFor(demo.handler('miyi')),
  );
  return r.data!.letters.edges.length;
}

beforeAll(async () => {
  t = await startTestApp({ env: { PUBLIC_WRITE_PER_ADDRESS: '3', PUBLIC_WRITE_PER_CONTACT: '4' } });
});
afterAll(async () => {
  await t?.close();
});

describe('safety of public writes', () => {
  it('answers a flood from one address with 429 and retry-after, writes nothing, and lets a real letter through', async () => {
    const before = await letterCount();
    const statuses: number[] = [];
    let retryAfter: string | undefined;
    for (let n = 0; n < 6; n++) {
      const res = await post(
        t.app,
        '203.0.113.7',
        await letter({ contact: { name: '刷屏', phone: `1380000000${n}` } }),
      );
      statuses.push(res.statusCode);
      if (res.statusCode === 429) {
        retryAfter = String(res.headers['retry-after']);
        expect(res.json().errors[0].extensions).toMatchObject({ code: 'RATE_LIMITED', reason: 'RATE_LIMITED' });
      }
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429, 429]);
    expect(Number(retryAfter)).toBeGreaterThan(3000); // the rest of the hour-long window
    expect(Number(retryAfter)).toBeLessThanOrEqual(3600);
    expect(await letterCount()).toBe(before + 3);
    // A second API instance on the same database counts the same hits (no in-process state).
    const second = await buildApp(t.platform, { logger: false });
    try {
      expect((await post(second, '203.0.113.7', await letter())).statusCode).toBe(429);
    } finally {
      await second.close();
    }
    const real = await post(t.app, '198.51.100.20', await letter({ subject: '真实来信' }));
    expect(real.statusCode).toBe(200);
    expect(real.json().data.submitLetter.trackingCode).toBeTruthy();
    expect(await letterCount()).toBe(before + 4);
  });

  it('throttles one contact across addresses', async () => {
    const statuses: number[] = [];
    for (let n = 0; n < 5; n++) {
      const res = await post(
        t.app,
        `192.0.2.${n + 1}`,
        await letter({ contact: { name: '李四', email: 'li.si@example.cn' } }),
      );
      statuses.push(res.statusCode);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 429]);
  });

  it('refuses oversized input as bad input, and strips control and invisible characters', async () => {
    const big = await post(t.app, '192.0.2.50', await letter({ body: '长'.repeat(5001) }));
    expect(big.statusCode).toBe(400);
    expect(big.json().errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'body' });
    const sneaky = await post(t.app, '192.0.2.51', await letter({ subject: '\u202Egnp.exe\u0000 正常\u200B主题 ' }));
    expect(sneaky.statusCode).toBe(200);
    const h = await t.tokenFor(demo.handler('miyi'));
    const list = await t.gql('{ letters(site: "miyi", first: 1) { edges { node { subject } } } }', {}, h);
    expect(list.data!.letters.edges[0].node.subject).toBe('gnp.exe 正常主题');
  });

  it('never writes personal data to the logs, even at trace level', async () => {
    let out = '';
    const stream = new Writable({
      write(chunk, _enc, done) {
        out += chunk.toString();
        done();
      },
    });
    const logged = await buildApp(t.platform, { logger: { level: 'trace', stream } });
    try {
      const ok = await post(
        logged,
        '192.0.2.99',
        await letter({ contact: { name: '欧阳秘密', phone: '13911112222', address: '米易县秘密路1号' } }),
      );
      expect(ok.statusCode).toBe(200);
      const bad = await post(
        logged,
        '192.0.2.99',
        await letter({ contact: { name: '欧阳秘密', phone: '13911112222', email: 'not-an-email' } }),
      );
      expect(bad.statusCode).toBe(400);
    } finally {
      await logged.close();
    }
    expect(out.length).toBeGreaterThan(0);
    for (const secret of ['欧阳秘密', '13911112222', '秘密路', '夜间施工']) expect(out).not.toContain(secret);
  });
});
