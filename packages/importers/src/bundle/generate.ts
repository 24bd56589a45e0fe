/**
 * Writes a realistic bundle of a Chinese government site (tests and bench/import.ts): 栏目, 信息 with legacy
 * dates, 文号/发布机构/成文日期 on policy documents, old static and dynamic URLs, and references into an uploads
 * folder. Streams line by line, so a bundle of any size is written in constant memory.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';

export interface GenerateOptions {
  items: number;
  /** Body size in characters (roughly). */
  bodyChars?: number;
  /** Referenced files: `/uploads/<n>.png` for every n-th item (they are not written: see the test fixtures). */
  imageEvery?: number;
}

const COLUMNS = [
  { sourceId: '1', name: '通知公告', slug: 'tzgg' },
  { sourceId: '2', name: '工作动态', slug: 'gzdt' },
  { sourceId: '3', name: '政策文件', slug: 'zcwj' },
  { sourceId: '4', name: '镇村风采', slug: 'zcfc' },
];
const PARA = '为深入贯彻落实上级有关工作部署，进一步提升政务公开水平，现就有关事项通知如下。';

async function write(stream: NodeJS.WritableStream, line: string) {
  if (!stream.write(`${line}\n`)) await once(stream, 'drain');
}

export async function generateBundle(dir: string, opts: GenerateOptions): Promise<{ items: number; columns: number }> {
  await mkdir(dir, { recursive: true });
  const cols = createWriteStream(join(dir, 'columns.jsonl'));
  for (const c of COLUMNS)
    await write(cols, JSON.stringify({ ...c, oldUrls: [`/${c.slug}/`, `/plus/list.php?tid=${c.sourceId}`] }));
  cols.end();
  await once(cols, 'finish');
  const items = createWriteStream(join(dir, 'items.jsonl'));
  const body = PARA.repeat(Math.max(1, Math.round((opts.bodyChars ?? 600) / PARA.length)));
  for (let n = 1; n <= opts.items; n += 1) {
    const col = COLUMNS[n % COLUMNS.length]!;
    const day = new Date(Date.UTC(2012, 0, 1) + (n % 3000) * 86_400_000).toISOString().slice(0, 10);
    const doc = col.sourceId === '3';
    const img = opts.imageEvery && n % opts.imageEvery === 0 ? `<p><img src="/uploads/${n}.png" alt="图${n}"></p>` : '';
    await write(
      items,
      JSON.stringify({
        sourceId: String(n),
        kind: doc ? 'document' : 'article',
        status: 'published',
        columnSourceIds: [col.sourceId],
        title: `${col.name}第${n}号：关于做好${day.slice(0, 4)}年有关工作的通知`,
        bodyHtml: `<p style="text-indent:2em">${body}</p>${img}<p style="text-align:right">${day}</p>`,
        source: '米易县某镇人民政府',
        author: '党政办',
        publishedAt: `${day}T09:30:00+08:00`,
        govMeta: doc
          ? { docNumber: `某府发〔${day.slice(0, 4)}〕${n}号`, issuingBody: '某镇人民政府', writtenAt: day }
          : null,
        oldUrls: [`/${col.slug}/${day.replace(/-/g, '').slice(0, 6)}/${n}.html`, `/plus/view.php?aid=${n}`],
      }),
    );
  }
  items.end();
  await once(items, 'finish');
  return { items: opts.items, columns: COLUMNS.length };
}
