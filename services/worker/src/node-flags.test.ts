import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { WORKER_ENV, WORKER_NODE_FLAGS } from './node-flags.ts';

// Issue 11: the worker (and the CLI, which imports in-process) runs with the heap bound that keeps an import's
// peak RSS under 300 MB; every way of starting it must pass the same flags.
const root = new URL('../../../', import.meta.url);
const read = (p: string) => readFileSync(new URL(p, root), 'utf8');

describe('worker node flags', () => {
  it('bounds the young and old generations', () => {
    expect(WORKER_NODE_FLAGS.some((f) => /^--max-semi-space-size=\d+$/.test(f))).toBe(true);
    expect(WORKER_NODE_FLAGS.some((f) => /^--max-old-space-size=\d+$/.test(f))).toBe(true);
  });

  it.each([
    ['services/worker/package.json (start)', () => JSON.parse(read('services/worker/package.json')).scripts.start],
    ['services/worker/bin/zhanqun', () => read('services/worker/bin/zhanqun')],
  ])('%s passes them', (_name, text) => {
    const t = text() as string;
    for (const f of WORKER_NODE_FLAGS) expect(t).toContain(f);
  });

  it.each(['infra/compose.yaml', 'infra/k8s/worker.yaml'])('%s starts the worker with them', (file) => {
    const line = read(file)
      .split('\n')
      .find((l) => l.includes('services/worker/src/main.ts'));
    expect(line).toBeDefined();
    for (const f of WORKER_NODE_FLAGS) expect(line).toContain(`"${f}"`);
  });

  it.each([
    ['services/worker/package.json (start)', () => JSON.parse(read('services/worker/package.json')).scripts.start],
    ['services/worker/bin/zhanqun', () => read('services/worker/bin/zhanqun')],
    ['infra/compose.yaml (worker)', () => read('infra/compose.yaml').split('\n  worker:\n')[1]!.split('\n\n')[0]!],
    ['infra/k8s/worker.yaml', () => read('infra/k8s/worker.yaml')],
  ])('%s sets the worker environment', (_name, text) => {
    const t = text() as string;
    for (const [k, v] of Object.entries(WORKER_ENV)) expect(t).toMatch(new RegExp(`\\b${k}\\b[^\\n]*\\b${v}\\b`));
  });
});
