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

/**
 * The HTTP client of public searches (issue 10: search within 1.3× of Meilisearch's own latency). The
 * `meilisearch` client's default is the global `fetch`: per request a `Headers`, an `AbortController` with its
 * timer, WHATWG streams for the body — measurable beside a 2–5 ms search. This one is `node:http` on a keep-alive
 * agent (connections reused, TCP_NODELAY, no compression asked for: see platform.ts), reading the answer whole and
 * parsing it once. It implements the `httpClient` option of `meilisearch` (resolves with the parsed JSON, throws
 * on a non-2xx answer), and is only given to the client that searches: tasks and settings keep the default.
 */
export function keepAliveJsonClient(opts: { timeoutMs: number; maxSockets?: number }) {
  const agentOpts = { keepAlive: true, maxSockets: opts.maxSockets ?? 64, noDelay: true } as const;
  const agents = { http: new http.Agent(agentOpts), https: new https.Agent(agentOpts) };
  const httpClient = (input: string | URL | Request, init?: RequestInit): Promise<unknown> => {
    const url = input instanceof URL ? input : new URL(typeof input === 'string' ? input : input.url);
    const secure = url.protocol === 'https:';
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((v, k) => {
      headers[k] = v;
    });
    const body = typeof init?.body === 'string' ? init.body : undefined;
    if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
    return new Promise((resolve, reject) => {
      const req = (secure ? https : http).request(
        url,
        {
          method: init?.method ?? 'GET',
          headers,
          agent: secure ? agents.https : agents.http,
          timeout: opts.timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown;
            try {
              parsed = text === '' ? undefined : JSON.parse(text);
            } catch {
              parsed = undefined;
            }
            const status = res.statusCode ?? 0;
            if (status < 200 || status >= 300) reject(new MeiliHttpError(status, parsed));
            else resolve(parsed);
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`Meilisearch did not answer within ${opts.timeoutMs} ms`)));
      req.on('error', reject);
      req.end(body);
    });
  };
  return {
    httpClient,
    close() {
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}
