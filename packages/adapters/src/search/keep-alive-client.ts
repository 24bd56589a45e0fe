import http from 'node:http';
import https from 'node:https';

/** A non-2xx answer from Meilisearch (its error body, when it sent JSON). */
export class MeiliHttpError extends Error {
  readonly status: number;
  readonly body: unknown;
  constructor(status: number, body: unknown) {
    const b = body as { code?: string; message?: string } | undefined;
    super(`Meilisearch answered ${status}${b?.code ? ` ${b.code}` : ''}${b?.message ? `: ${b.message}` : ''}`);
    this.status = status;
    this.body = body;
  }
}

/** How public searches reach Meilisearch: POST a JSON body to a path under its host, get the parsed answer. */
export interface SearchTransport {
  /** Resolves with the parsed JSON answer; rejects on a non-2xx answer (MeiliHttpError), a timeout or an error. */
  postJson(path: string, body: string): Promise<unknown>;
}

/**
 * The HTTP client of public searches (issue 10: search within 1.3× of Meilisearch's own latency). Everything
 * that does not change between searches is worked out once: the host, port and base path, the headers (API key,
 * JSON, no compression — small compressed answers stall ~40 ms on loopback, bench/README.md), the keep-alive
 * agent (connections reused, TCP_NODELAY). A search then costs one `http.request` with a plain options object,
 * one read of the answer and one JSON.parse. The `meilisearch` client's own path per search was an `Index` and an
 * `HttpRequests` built anew, three `URL`s and three `Headers` (ADR 0027); tasks and settings keep that client.
 */
export function keepAliveJsonClient(opts: {
  host: string;
  apiKey?: string;
  timeoutMs: number;
  maxSockets?: number;
}): SearchTransport & { close(): void } {
  const base = new URL(opts.host);
  const secure = base.protocol === 'https:';
  // noDelay (TCP_NODELAY) is an option of the sockets the agent creates, not in its typings.
  const agentOpts = { keepAlive: true, maxSockets: opts.maxSockets ?? 64, noDelay: true };
  const agent = secure ? new https.Agent(agentOpts) : new http.Agent(agentOpts);
  const transport = secure ? https : http;
  const prefix = base.pathname.replace(/\/+$/, '');
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'accept-encoding': 'identity',
    ...(opts.apiKey ? { authorization: `Bearer ${opts.apiKey}` } : {}),
  };
  const target = {
    method: 'POST',
    protocol: base.protocol,
    hostname: base.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: base.port || (secure ? 443 : 80),
    agent,
    timeout: opts.timeoutMs,
  };
  return {
    postJson(path: string, body: string): Promise<unknown> {
      return new Promise((resolve, reject) => {
        const req = transport.request(
          {
            ...target,
            path: `${prefix}/${path.replace(/^\/+/, '')}`,
            headers: { ...headers, 'content-length': Buffer.byteLength(body) },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('error', reject);
            res.on('end', () => {
              const text = (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)).toString('utf8');
              let parsed: unknown;
              try {
                parsed = text === '' ? undefined : JSON.parse(text);
              } catch {
                parsed = undefined;
              }
              const status = res.statusCode ?? 0;
              if (status < 200 || status >= 300) reject(new MeiliHttpError(status, parsed));
              else if (parsed === undefined) reject(new Error(`Meilisearch answered ${status} without JSON`));
              else resolve(parsed);
            });
          },
        );
        req.on('timeout', () => req.destroy(new Error(`Meilisearch did not answer within ${opts.timeoutMs} ms`)));
        req.on('error', reject);
        req.end(body);
      });
    },
    close() {
      agent.destroy();
    },
  };
}
