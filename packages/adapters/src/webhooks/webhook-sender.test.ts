import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEBHOOK_RESPONSE_CAP, webhookSender } from './webhook-sender.ts';

let server: Server;
let base: string;
const hits: string[] = [];
const secret = `whsec_${Buffer.alloc(32, 3).toString('base64')}`;

beforeAll(async () => {
  server = createServer((req, res) => {
    hits.push(req.url ?? '');
    if (req.url === '/redirect') return res.writeHead(302, { location: '/landed' }).end();
    if (req.url === '/big') return res.writeHead(200).end('x'.repeat(1024 * 1024));
    if (req.url === '/slow') return; // never answers
    res.writeHead(204).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

const message = (url: string) => ({ url, id: 'msg_1', timestamp: new Date(), body: '{"type":"x"}', secrets: [secret] });

describe('webhook sender', () => {
  const open = webhookSender({ allowPrivateTargets: true, timeoutMs: 1000 });

  it('follows no redirect: a 3xx is the answer, the target is not called', async () => {
    const r = await open.send(message(`${base}/redirect`));
    expect(r.status).toBe(302);
    expect(hits).not.toContain('/landed');
  });

  it('reads at most the cap of a large answer', async () => {
    const r = await open.send(message(`${base}/big`));
    expect(r.status).toBe(200);
    expect(r.body!.length).toBeLessThanOrEqual(WEBHOOK_RESPONSE_CAP);
    expect(r.body!.length).toBeGreaterThan(0);
  });

  it('gives up on a receiver that does not answer in time', async () => {
    const r = await open.send(message(`${base}/slow`));
    expect([r.status, r.error]).toEqual([null, 'timed out after 1000 ms']);
  });

  it('refuses loopback targets, by literal address and by name, unless allowed', async () => {
    const strict = webhookSender({ allowPrivateTargets: false, timeoutMs: 1000 });
    const before = hits.length;
    const literal = await strict.send(message(`${base}/ok`));
    expect(literal.status).toBeNull();
    expect(literal.error).toMatch(/PRIVATE_ADDRESS/);
    // A public-looking name whose DNS answer is loopback (rebinding): refused on the resolved address.
    const rebinding = webhookSender({
      allowPrivateTargets: false,
      timeoutMs: 1000,
      resolve: ((_host: string, _opts: unknown, cb: (e: null, a: { address: string; family: number }[]) => void) =>
        cb(null, [{ address: '127.0.0.1', family: 4 }])) as never,
    });
    const port = new URL(base).port;
    const byName = await rebinding.send(message(`http://hooks.example.org:${port}/ok`));
    expect(byName.status).toBeNull();
    expect(byName.error).toMatch(/private addresses|PRIVATE_ADDRESS/);
    expect(hits.length).toBe(before);
  });

  it('signs so that standardwebhooks verifies, with one signature per secret', async () => {
    let headers: Record<string, string> = {};
    let body = '';
    const s = createServer((req, res) => {
      headers = req.headers as Record<string, string>;
      req.on('data', (c) => (body += c));
      req.on('end', () => res.writeHead(200).end());
    });
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
    const other = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;
    const r = await open.send({
      ...message(`http://127.0.0.1:${(s.address() as AddressInfo).port}/`),
      secrets: [secret, other],
    });
    s.close();
    expect(r.status).toBe(200);
    expect(headers['webhook-signature']!.split(' ')).toHaveLength(2);
    expect(new Webhook(secret).verify(body, headers)).toEqual({ type: 'x' });
    expect(new Webhook(other).verify(body, headers)).toEqual({ type: 'x' });
  });
});
