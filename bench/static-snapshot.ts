/**
 * Static-site snapshot import (issue 11), not part of `pnpm bench`'s default: `node bench/static-snapshot.ts`.
 *
 * Generates a TRS-like snapshot of BENCH_STATIC_PAGES detail pages (default 50,000; GBK, national metadata, a
 * 信息公开 table on every third page, ~3 KB bodies) over 40 columns with paginated list pages, in a temp folder
 * (and, with BENCH_STATIC_ZIP=1, as a zip), then reads it with the static adapter twice over — at half the size
 * and at the full size — each in a fresh child process, and prints pages/s, the idle RSS and the peak RSS for each.
 * The adapter holds one page at a time plus a little per column, so the peak should not grow with the snapshot.
 * Figures only: nothing passes or fails on time.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import iconv from '../packages/importers/node_modules/iconv-lite/lib/index.js';
import { staticSiteAdapter } from '../packages/importers/src/index.ts';

const say = (m: string) => console.log(`[bench:static] ${m}`);
const PAGES = Number(process.env.BENCH_STATIC_PAGES ?? 50_000);
const COLUMNS = 40;

let seed = 42;
const rand = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const WORDS = [
  '县政府',
  '召开',
  '专题会议',
  '安排部署',
  '防汛减灾',
  '乡村振兴',
  '营商环境',
  '重点项目',
  '民生实事',
  '安全生产',
];
const sentence = (n: number) => Array.from({ length: n }, () => WORDS[Math.floor(rand() * WORDS.length)]).join('');

function detail(col: number, id: number, day: string): string {
  const title = `${sentence(4)}（第${id}号）`;
  const gov =
    id % 3 === 0
      ? `<table class="xxgk"><tr><td>索引号：</td><td>008765432/2021-${id}</td><td>发布机构：</td><td>某县人民政府办公室</td></tr>
         <tr><td>文号：</td><td>某府办发〔2021〕${id}号</td><td>成文日期：</td><td>${day}</td></tr></table>`
      : '';
  const paras = Array.from({ length: 12 }, () => `<p style="text-indent:2em">${sentence(30)}。</p>`).join('\n');
  return `<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<meta name="SiteName" content="某县人民政府"><meta name="ColumnName" content="栏目${col}">
<meta name="ArticleTitle" content="${title}"><meta name="PubDate" content="${day} 10:00"><meta name="ContentSource" content="县政府办">
<title>${title}_栏目${col}_某县人民政府</title></head><body>
<div class="position">当前位置：首页 &gt; 政务公开 &gt; 栏目${col}</div>${gov}
<div class="TRS_Editor"><style>.TRS_Editor P{line-height:1.8}</style>${paras}
<p><a href="./P0${id}.pdf">附件${id}.pdf</a></p></div>
<div>【打印本页】【关闭窗口】</div><div>上一篇：<a href="./t1_1.html">上一篇</a></div></body></html>`;
}

function list(col: number, page: number, pages: number, links: string[]): string {
  return `<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"><meta name="ColumnName" content="栏目${col}">
<title>栏目${col}_某县人民政府</title></head><body><ul>${links.join('\n')}</ul>
<script>createPageHTML(${pages}, ${page}, "index", "html");</script></body></html>`;
}

async function generate(root: string, pages: number): Promise<void> {
  const perColumn = Math.ceil(pages / COLUMNS);
  let id = 1;
  for (let c = 0; c < COLUMNS && id <= pages; c++) {
    const dir = join(root, 'zwgk', `lm${c}`);
    await mkdir(join(dir, '202103'), { recursive: true });
    const links: string[] = [];
    for (let i = 0; i < perColumn && id <= pages; i++, id++) {
      const d = String((id % 28) + 1).padStart(2, '0');
      const name = `t202103${d}_${id}.html`;
      await writeFile(join(dir, '202103', name), iconv.encode(detail(c, id, `2021-03-${d}`), 'gbk'));
      links.push(`<li><a href="./202103/${name}">${id}</a><span>2021-03-${d}</span></li>`);
    }
    const listPages = Math.ceil(links.length / 20);
    for (let p = 0; p < listPages; p++) {
      const html = list(c, p, listPages, links.slice(p * 20, p * 20 + 20));
      await writeFile(join(dir, p === 0 ? 'index.html' : `index_${p}.html`), iconv.encode(html, 'gbk'));
    }
  }
}

function rssMb(): number {
  return process.memoryUsage().rss / 1024 / 1024;
}

/** In a fresh child process (so that each size starts from the same heap): read the snapshot, print figures. */
async function measureHere(root: string): Promise<void> {
  const idle = rssMb();
  let peak = idle;
  const timer = setInterval(() => {
    peak = Math.max(peak, rssMb());
  }, 20);
  const started = process.hrtime.bigint();
  const source = await staticSiteAdapter.open({ paths: [root], head: null, isDirectory: true }, {});
  let items = 0;
  for await (const e of source.read()) {
    if (e.type === 'item') items++;
    peak = Math.max(peak, rssMb());
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  clearInterval(timer);
  console.log(JSON.stringify({ items, seconds, idle, peak }));
}

function measure(root: string): Promise<{ items: number; seconds: number; idle: number; peak: number }> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [fileURLToPath(import.meta.url), '--measure', root],
      { maxBuffer: 1 << 20 },
      (err, out) => {
        if (err) reject(err);
        else resolve(JSON.parse(out.trim().split('\n').at(-1)!));
      },
    );
  });
}

if (process.argv[2] === '--measure') {
  await measureHere(process.argv[3]!);
  process.exit(0);
}

const work = await mkdtemp(join(tmpdir(), 'zq-bench-static-'));
try {
  for (const n of [Math.floor(PAGES / 2), PAGES]) {
    const root = join(work, `site-${n}`);
    say(`generating ${n} pages…`);
    await generate(root, n);
    const r = await measure(root);
    say(
      `${n} pages: ${r.items} items in ${r.seconds.toFixed(1)} s = ${(r.items / r.seconds).toFixed(0)} pages/s ` +
        `(two walks); RSS idle ${r.idle.toFixed(0)} MB, peak ${r.peak.toFixed(0)} MB`,
    );
    await rm(root, { recursive: true, force: true });
  }
} finally {
  await rm(work, { recursive: true, force: true });
}
