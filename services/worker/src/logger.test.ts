import { describe, expect, it } from 'vitest';
import { instrumented } from './jobs.ts';
import { createWorkerLogger } from './logger.ts';

function capture(level: Parameters<typeof createWorkerLogger>[0]) {
  const lines: Record<string, unknown>[] = [];
  const log = createWorkerLogger(level, { write: (l: string) => lines.push(JSON.parse(l)) });
  return { log, lines };
}

describe('the worker logger', () => {
  it('honours LOG_LEVEL', () => {
    const warn = capture('warn');
    warn.log.info('routine');
    warn.log.debug('detail');
    warn.log.warn('will retry');
    warn.log.error('failed');
    expect(warn.lines.map((l) => l.msg)).toEqual(['will retry', 'failed']);

    const debug = capture('debug');
    debug.log.debug('detail');
    expect(debug.lines.map((l) => l.msg)).toEqual(['detail']);

    const silent = capture('silent');
    silent.log.error('nothing');
    expect(silent.lines).toEqual([]);
  });

  it('writes structured pino lines with level, time and service, like the API', () => {
    const { log, lines } = capture('info');
    const before = Date.now();
    log.info({ count: 3 }, 'published due items');
    expect(lines[0]).toMatchObject({ level: 30, service: 'worker', msg: 'published due items', count: 3 });
    expect(lines[0]!.time as number).toBeGreaterThanOrEqual(before);
  });

  it('logs a failed job at error level with the error and the queue, and still fails the job', async () => {
    const { log, lines } = capture('info');
    const failed: string[] = [];
    const handler = instrumented('publish-due', { log, onFailure: (q) => failed.push(q) }, async () => {
      throw new Error('database went away');
    });
    await expect(handler([])).rejects.toThrow('database went away');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 50, queue: 'publish-due', err: { message: 'database went away' } });
    expect(failed).toEqual(['publish-due']);
  });
});
