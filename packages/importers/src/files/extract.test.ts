import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { extractZip } from './extract.ts';
import { craftZip } from './zip-craft.test-helper.ts';

const dir = mkdtempSync(join(tmpdir(), 'zq-extract-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('extractZip (an uploaded bundle or snapshot, issue 11)', () => {
  it('writes the safe entries under the folder and refuses traversal, absolute names and lying sizes', async () => {
    const zip = join(dir, 'site.zip');
    writeFileSync(
      zip,
      await craftZip([
        { name: 'items.jsonl', data: '{"sourceId":"1","title":"通知"}' },
        { name: '栏目/页面.html', data: '<p>页面</p>' },
        { name: '../../evil.txt', data: 'evil' },
        { name: '/etc/evil2.txt', data: 'evil' },
        { name: 'bomb.txt', data: 'x'.repeat(10_000), compress: true, declaredSize: 10 },
      ]),
    );
    const out = join(dir, 'a', 'b');
    const done = extractZip(zip, out);
    // The entry whose inflated bytes exceed what it declared fails its stream: the extraction stops there.
    await expect(done).rejects.toThrow(/zip bomb|more than/);
    expect(readFileSync(join(out, 'items.jsonl'), 'utf8')).toContain('通知');
    expect(readFileSync(join(out, '栏目/页面.html'), 'utf8')).toBe('<p>页面</p>');
    expect(existsSync(join(dir, 'evil.txt'))).toBe(false);
    expect(existsSync(join(out, 'etc/evil2.txt'))).toBe(false);
    const ok = join(dir, 'ok.zip');
    writeFileSync(
      ok,
      await craftZip([
        { name: 'a.txt', data: 'a' },
        { name: '../x.txt', data: 'x' },
      ]),
    );
    const r = await extractZip(ok, join(dir, 'ok'));
    expect(r).toMatchObject({ files: 1, bytes: 1 });
    expect(r.rejected).toEqual([{ name: '../x.txt', reason: 'TRAVERSAL' }]);
    expect(existsSync(join(dir, 'x.txt'))).toBe(false);
  });
});
