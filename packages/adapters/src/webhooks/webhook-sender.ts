import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import {
  isPrivateAddress,
  type WebhookAttempt,
  type WebhookMessage,
  type WebhookSender,
  webhookTargetProblem,
} from '@zhanqun/core';
import { Webhook } from 'standardwebhooks';

/** How much of a receiver's answer is read and kept in the delivery log. */
export const WEBHOOK_RESPONSE_CAP = 4096;

export interface WebhookSenderOptions {
  /** Loopback/private targets allowed (tests, embedded default only). */
  allowPrivateTargets: boolean;
  timeoutMs: number;
  userAgent?: string;
  /** The resolver (node:dns lookup); tests give one that answers a public-looking name with a loopback address. */
  resolve?: typeof dnsLookup;
}

/**
 * A DNS look-up that refuses private addresses: the check happens on the address the socket will actually connect
 * to, so a name that resolves to a public address at creation and to 127.0.0.1 later (DNS rebinding) is refused.
 */
function guardedLookup(allowPrivate: boolean, resolve: typeof dnsLookup): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const list = (addresses as LookupAddress[]).filter((a) => allowPrivate || !isPrivateAddress(a.address));
      if (list.length === 0)
        return callback(
          Object.assign(new Error(`${hostname} resolves only to private addresses`), { code: 'EPRIVATE' }),
          '',
          0,
        );
      if ((options as { all?: boolean }).all) return (callback as (e: null, a: LookupAddress[]) => void)(null, list);
      return callback(null, list[0]!.address, list[0]!.family);
    });
  };
}

/**
 * Sends Standard Webhooks messages: `webhook-id`, `webhook-timestamp`, `webhook-signature` (signed with the
 * `standardwebhooks` library; during a secret rotation one signature per secret, space-separated). Plain
 * node:http(s), so that: no redirect is ever followed (a 3xx is a failed attempt), the whole exchange has one
 * deadline, only the first WEBHOOK_RESPONSE_CAP bytes of the answer are read, and the connection's address is
 * checked against the SSRF rules after DNS resolution.
 */
export function webhookSender(opts: WebhookSenderOptions): WebhookSender {
  const lookup = guardedLookup(opts.allowPrivateTargets, opts.resolve ?? dnsLookup);
  return {
    send(message: WebhookMessage): Promise<WebhookAttempt> {
      const started = performance.now();
      const done = (status: number | null, body: string | null, error: string | null): WebhookAttempt => ({
        status,
        body,
        error,
        durationMs: performance.now() - started,
      });
      const problem = webhookTargetProblem(message.url, opts.allowPrivateTargets);
      if (problem) return Promise.resolve(done(null, null, `target refused: ${problem}`));
      const signature = message.secrets
        .map((secret) => new Webhook(secret).sign(message.id, message.timestamp, message.body))
        .join(' ');
      const url = new URL(message.url);
      const client = url.protocol === 'https:' ? https : http;
      return new Promise((resolve) => {
        let settled = false;
        const finish = (a: WebhookAttempt) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve(a);
        };
        const req = client.request(
          url,
          {
            method: 'POST',
            lookup,
            agent: false,
            headers: {
              'content-type': 'application/json',
              'content-length': Buffer.byteLength(message.body),
              'user-agent': opts.userAgent ?? 'Zhanqun-Webhooks/1',
              'webhook-id': message.id,
              'webhook-timestamp': String(Math.floor(message.timestamp.getTime() / 1000)),
              'webhook-signature': signature,
            },
          },
          (res) => {
            const chunks: Buffer[] = [];
            let size = 0;
            res.on('data', (chunk: Buffer) => {
              if (size >= WEBHOOK_RESPONSE_CAP) return;
              chunks.push(chunk);
              size += chunk.length;
              // Enough read: the rest of a large answer is not our business.
              if (size >= WEBHOOK_RESPONSE_CAP) {
                finish(done(res.statusCode ?? null, text(chunks), null));
                res.destroy();
              }
            });
            res.on('end', () => finish(done(res.statusCode ?? null, text(chunks), null)));
            res.on('error', (e) => finish(done(res.statusCode ?? null, text(chunks), e.message)));
          },
        );
        const timer = setTimeout(() => {
          finish(done(null, null, `timed out after ${opts.timeoutMs} ms`));
          req.destroy();
        }, opts.timeoutMs);
        req.on('error', (e) => finish(done(null, null, e.message)));
        req.end(message.body);
      });
    },
  };
}

const text = (chunks: Buffer[]) => {
  if (chunks.length === 0) return null;
  return Buffer.concat(chunks).subarray(0, WEBHOOK_RESPONSE_CAP).toString('utf8');
};
