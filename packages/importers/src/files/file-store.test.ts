import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OpenedFileStore, openFileStore } from './file-store.ts';
import { lookupCandidates, safeEntryPath } from './paths.ts';
import { craftZip, gbk } from './zip-craft.test-helper.ts';

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.from(c as Buffer));
  return Buffer.concat(chunks);
}

async function text(store: OpenedFileStore, url: string): Promise<string | null> {
  const f = await store.find(url);
  return f ? (await readAll(await f.open())).toString('utf8') : null;
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'zq-files-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('safeEntryPath', () => {
  it('normalises separators and refuses traversal, absolute names and drive letters', () => {
    expect(safeEntryPath('uploads\\2020\\a.jpg')).toEqual({ path: 'uploads/2020/a.jpg' });
    expect(safeEntryPath('./a//b.txt')).toEqual({ path: 'a/b.txt' });
    expect(safeEntryPath('../evil')).toEqual({ unsafe: 'TRAVERSAL' });
    expect(safeEntryPath('a/../../evil')).toEqual({ unsafe: 'TRAVERSAL' });
    expect(safeEntryPath('..\\evil')).toEqual({ unsafe: 'TRAVERSAL' });
    expect(safeEntryPath('/etc/passwd')).toEqual({ unsafe: 'ABSOLUTE' });
    expect(safeEntryPath('C:\\Windows\\x.dll')).toEqual({ unsafe: 'DRIVE_LETTER' });
    expect(safeEntryPath('c:x.txt')).toEqual({ unsafe: 'DRIVE_LETTER' });
    expect(safeEntryPath('a\u0000b')).toEqual({ unsafe: 'CONTROL_CHARACTER' });
  });
});

describe('lookupCandidates', () => {
  it('strips hosts, base URLs, queries and fragments, decodes UTF-8 and GBK, and drops common roots', () => {
    expect(lookupCandidates('http://www.old.gov.cn/uploads/a.pdf?v=2#p1', ['http://www.old.gov.cn'])).toEqual([
      'uploads/a.pdf',
      'a.pdf',
    ]);
    // An unknown host still loses its prefix; its name is also tried as a folder (wget mirrors).
    expect(lookupCandidates('https://other.gov.cn/u/a.pdf')).toEqual([
      'u/a.pdf',
      'other.gov.cn/u/a.pdf',
      'a.pdf',
      'other.gov.cn/a.pdf',
    ]);
    expect(lookupCandidates('/uploads/%E9%80%9A%E7%9F%A5.doc')[0]).toBe('uploads/通知.doc');
    // GBK 通知 is also valid UTF-8 (U+0368 U+05AA): both readings are tried, UTF-8 first
    expect(lookupCandidates('/uploads/%CD%A8%D6%AA.doc').slice(0, 2)).toEqual([
      'uploads/\u0368\u05aa.doc',
      'uploads/通知.doc',
    ]);
    expect(lookupCandidates('/uploads/%B8%BD%BC%FE.doc')[0]).toBe('uploads/附件.doc');
  });

  it('never yields a path that climbs out of the root', () => {
    for (const url of ['/../../etc/passwd', '..%2F..%2Fetc%2Fpasswd', '%2e%2e/%2e%2e/etc/passwd', '..\\..\\x']) {
      for (const c of lookupCandidates(url)) {
        expect(c.split('/')).not.toContain('..');
        expect(c.startsWith('/')).toBe(false);
      }
    }
    expect(lookupCandidates('/../../etc/passwd')[0]).toBe('etc/passwd');
  });

  it('takes file names out of download-script query strings', () => {
    expect(lookupCandidates('/module/download/downfile.jsp?classid=0&filename=2011081509.doc')).toContain(
      '2011081509.doc',
    );
  });
});

describe('openFileStore on a folder', () => {
  let root: string;
  let outside: string;
  beforeAll(async () => {
    root = join(dir, 'site', 'uploads');
    outside = join(dir, 'secret');
    await mkdir(join(root, '2020', 'Docs'), { recursive: true });
    await mkdir(outside, { recursive: true });
    await writeFile(join(root, '2020', 'a.pdf'), 'A');
    await writeFile(join(root, '2020', 'Docs', 'Report.DOC'), 'R');
    await writeFile(join(root, '2020', '通知.doc'), 'N');
    await writeFile(join(outside, 'passwd'), 'SECRET');
    await symlink(join(outside, 'passwd'), join(root, '2020', 'link.txt'));
    await symlink(outside, join(root, 'out'));
    await writeFile(join(root, '2020', 'big.bin'), Buffer.alloc(2048));
  });

  it('finds files by absolute, site-relative and relative URLs, with the root being uploads/ itself', async () => {
    const store = await openFileStore(root, { baseUrls: ['http://www.old.gov.cn'] });
    expect(store.kind).toBe('folder');
    expect(await text(store, 'http://www.old.gov.cn/uploads/2020/a.pdf')).toBe('A');
    expect(await text(store, '/uploads/2020/a.pdf?x=1')).toBe('A');
    expect(await text(store, '2020/a.pdf')).toBe('A');
    expect(await text(store, '../../uploads/2020/a.pdf')).toBe('A');
    expect(await store.find('/uploads/2020/missing.pdf')).toBeNull();
    await store.close();
  });

  it('also works when the root is the parent of uploads/', async () => {
    const store = await openFileStore(join(dir, 'site'));
    expect(await text(store, '/uploads/2020/a.pdf')).toBe('A');
    // site/ holds only uploads/: it is tried as a wrapper too
    expect(await text(store, '/2020/a.pdf')).toBe('A');
  });

  it('decodes GBK and UTF-8 percent-encoded names and falls back to case-insensitive lookup', async () => {
    const store = await openFileStore(root);
    expect(await text(store, '/uploads/2020/%CD%A8%D6%AA.doc')).toBe('N');
    expect(await text(store, '/uploads/2020/%E9%80%9A%E7%9F%A5.doc')).toBe('N');
    const f = await store.find('/UPLOADS/2020/docs/report.doc');
    expect(f?.path).toBe('2020/Docs/Report.DOC');
  });

  it('refuses symlinks that point outside the root, in find and in list', async () => {
    const store = await openFileStore(root);
    expect(await store.find('/uploads/2020/link.txt')).toBeNull();
    expect(await store.find('/uploads/out/passwd')).toBeNull();
    const listed: string[] = [];
    for await (const f of store.list()) listed.push(f.path);
    expect(listed.sort()).toEqual(['2020/Docs/Report.DOC', '2020/a.pdf', '2020/big.bin', '2020/通知.doc']);
    expect(store.rejected.map((r) => r.reason)).toContain('LINK_OUTSIDE');
  });

  it('refuses files over the per-entry limit', async () => {
    const store = await openFileStore(root, { limits: { maxEntrySize: 1024 } });
    expect(await store.find('/uploads/2020/big.bin')).toBeNull();
    expect(store.rejected).toContainEqual({ name: '2020/big.bin', reason: 'TOO_LARGE' });
  });

  it('throws a stable code for a missing path', async () => {
    await expect(openFileStore(join(dir, 'nope'))).rejects.toMatchObject({ code: 'FILES_NOT_FOUND' });
  });
});

describe('openFileStore on a zip', () => {
  it('reads entries in place, with GBK names (no UTF-8 flag) and UTF-8 names', async () => {
    const file = join(dir, 'uploads.zip');
    await writeFile(
      file,
      await craftZip([
        { name: 'uploads/2020/a.pdf', data: 'A', compress: true },
        { name: gbk('uploads/附件/通知.doc'), data: 'GBK', noUtf8Flag: true },
        { name: 'uploads/附件/公告.doc', data: 'UTF8' },
        { name: 'uploads/Images/Logo.PNG', data: 'L' },
      ]),
    );
    const store = await openFileStore(file, { baseUrls: ['http://www.old.gov.cn'] });
    expect(store.kind).toBe('zip');
    expect(store.gbkNames).toBe(1);
    expect(await text(store, 'http://www.old.gov.cn/uploads/2020/a.pdf')).toBe('A');
    expect(await text(store, '/uploads/%B8%BD%BC%FE/%CD%A8%D6%AA.doc')).toBe('GBK');
    expect(await text(store, '/uploads/附件/公告.doc')).toBe('UTF8');
    expect(await text(store, '/uploads/images/logo.png')).toBe('L');
    const listed: string[] = [];
    for await (const f of store.list()) listed.push(f.path);
    expect(listed).toContain('uploads/附件/通知.doc');
    // read twice: random access, nothing consumed
    expect(await text(store, '/uploads/2020/a.pdf')).toBe('A');
    await store.close();
  });

  it('refuses traversal, absolute, drive-letter and backslash-traversal names and keeps the rest', async () => {
    const file = join(dir, 'evil.zip');
    await writeFile(
      file,
      await craftZip([
        { name: '../evil.txt', data: 'E1' },
        { name: '/abs/evil.txt', data: 'E2' },
        { name: 'C:/win/evil.txt', data: 'E3' },
        { name: 'a\\..\\..\\evil.txt', data: 'E4' },
        { name: 'ok/good.txt', data: 'G' },
      ]),
    );
    const store = await openFileStore(file);
    expect(store.rejected).toEqual([
      { name: '../evil.txt', reason: 'TRAVERSAL' },
      { name: '/abs/evil.txt', reason: 'ABSOLUTE' },
      { name: 'C:/win/evil.txt', reason: 'DRIVE_LETTER' },
      { name: 'a\\..\\..\\evil.txt', reason: 'TRAVERSAL' },
    ]);
    const listed: string[] = [];
    for await (const f of store.list()) listed.push(f.path);
    expect(listed).toEqual(['ok/good.txt']);
    expect(await store.find('../evil.txt')).toBeNull();
    expect(await store.find('/abs/evil.txt')).toBeNull();
    expect(await store.find('evil.txt')).toBeNull();
    await store.close();
  });

  it('refuses an entry that declares more than the limit, and stops a bomb whose real size exceeds it', async () => {
    const file = join(dir, 'bomb.zip');
    await writeFile(
      file,
      await craftZip([
        { name: 'declared-huge.bin', data: 'x', declaredSize: 10_000_000 },
        // 1 MiB of zeros deflates to ~1 KiB; the directory claims 100 bytes
        { name: 'liar.bin', data: Buffer.alloc(1024 * 1024), compress: true, declaredSize: 100 },
        { name: 'fine.txt', data: 'fine' },
      ]),
    );
    const store = await openFileStore(file, { limits: { maxEntrySize: 64 * 1024 } });
    expect(store.rejected).toEqual([{ name: 'declared-huge.bin', reason: 'TOO_LARGE' }]);
    expect(await store.find('declared-huge.bin')).toBeNull();
    const liar = await store.find('liar.bin');
    expect(liar?.size).toBe(100);
    await expect(readAll(await liar!.open())).rejects.toMatchObject({ code: 'ARCHIVE_ENTRY_TOO_LARGE' });
    expect(await text(store, 'fine.txt')).toBe('fine');
    await store.close();
  });

  it('refuses archives over the entry-count and total-size limits, and files that are not zips', async () => {
    const file = join(dir, 'many.zip');
    await writeFile(
      file,
      await craftZip([
        { name: 'a.txt', data: 'aaaa' },
        { name: 'b.txt', data: 'bbbb' },
        { name: 'c.txt', data: 'cccc' },
      ]),
    );
    await expect(openFileStore(file, { limits: { maxEntries: 2 } })).rejects.toMatchObject({
      code: 'ARCHIVE_TOO_MANY_ENTRIES',
    });
    await expect(openFileStore(file, { limits: { maxTotalSize: 10 } })).rejects.toMatchObject({
      code: 'ARCHIVE_TOO_LARGE',
    });
    const notZip = join(dir, 'not.zip');
    await writeFile(notZip, 'hello');
    await expect(openFileStore(notZip)).rejects.toMatchObject({ code: 'ARCHIVE_INVALID' });
  });

  it('tries the single top folder of an archive as a prefix', async () => {
    const file = join(dir, 'wrapped.zip');
    await writeFile(file, await craftZip([{ name: 'backup-2019/uploads/a.jpg', data: 'J' }]));
    const store = await openFileStore(file);
    expect(await text(store, 'http://old.gov.cn/uploads/a.jpg')).toBe('J');
    await store.close();
  });
});
