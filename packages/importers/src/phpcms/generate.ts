/**
 * Generates a realistic PHPCMS v9 government site dump (tests and bench): categories with `setting` as PHP
 * `var_export` (odd ids) and JSON (even ids), news with ~3 KB 公文 bodies, `[page]` breaks, `copyfrom` as
 * `名称|id`, pending/rejected/link rows, attachments under `/uploadfile/YYYY/MMDD/`, a single page — in GBK or
 * UTF-8, as mysqldump, phpMyAdmin, Navicat or `# phpcms bakfile` volumes, from the real v9 schema. Same seed,
 * same bytes; streams at any scale.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { type DumpEncoding, type DumpStyle, DumpWriter, type OutValue, rowFor } from '../sql/dump-writer.ts';
import { TINY_FILES, asLatin1Mojibake, govArticle, govBody, rng } from '../sql/gov-text.ts';
import { chinaDate } from '../sql/values.ts';
import { PHPCMS_SCHEMA } from './schema.ts';

export interface PhpcmsGenOptions {
  outDir: string;
  items: number;
  style: DumpStyle;
  encoding: DumpEncoding;
  seed?: number;
  /** Table prefix (default `v9_`). */
  prefix?: string;
  /** Write the referenced files under this folder (`uploadfile/YYYY/MMDD/…`). */
  uploadsDir?: string | null;
  filesForItems?: number;
  mojibake?: boolean;
  volumeBytes?: number;
  rowsPerInsert?: number;
  /** Override the style's escaping (a PHPCMS bakfile written over mysqli with set_charset is charset-aware). */
  escaping?: 'charset-aware' | 'addslashes';
}

export const SITE = 'http://www.miyi.gov.cn';

export interface PhpcmsCategorySpec {
  catid: number;
  parentid: number;
  type: number;
  catname: string;
  catdir: string;
  parentdir: string;
  ishtml: boolean;
  showRule: number;
  listRule: number;
}

export const PHPCMS_CATEGORIES: PhpcmsCategorySpec[] = [
  {
    catid: 1,
    parentid: 0,
    type: 0,
    catname: '政务公开',
    catdir: 'zwgk',
    parentdir: '',
    ishtml: true,
    showRule: 12,
    listRule: 1,
  },
  {
    catid: 2,
    parentid: 1,
    type: 0,
    catname: '通知公告',
    catdir: 'tzgg',
    parentdir: 'zwgk/',
    ishtml: true,
    showRule: 12,
    listRule: 1,
  },
  {
    catid: 3,
    parentid: 1,
    type: 0,
    catname: '政策文件',
    catdir: 'zcwj',
    parentdir: 'zwgk/',
    ishtml: false,
    showRule: 16,
    listRule: 6,
  },
  {
    catid: 4,
    parentid: 0,
    type: 0,
    catname: '部门动态',
    catdir: 'bmdt',
    parentdir: '',
    ishtml: true,
    showRule: 11,
    listRule: 1,
  },
  {
    catid: 5,
    parentid: 1,
    type: 1,
    catname: '机构概况',
    catdir: 'jggk',
    parentdir: 'zwgk/',
    ishtml: true,
    showRule: 12,
    listRule: 1,
  },
  {
    catid: 6,
    parentid: 0,
    type: 2,
    catname: '中国政府网',
    catdir: '',
    parentdir: '',
    ishtml: false,
    showRule: 16,
    listRule: 6,
  },
];

export function categoryUrl(c: PhpcmsCategorySpec): string {
  if (c.type === 2) return 'http://www.gov.cn/';
  return c.ishtml
    ? `${SITE}/html/${c.parentdir}${c.catdir}/index.html`
    : `${SITE}/index.php?m=content&c=index&a=lists&catid=${c.catid}`;
}

/** The `setting` column: var_export for odd category ids (older builds), JSON for even ones (newer). */
export function categorySetting(c: PhpcmsCategorySpec): string {
  const s: Record<string, string> = {
    workflowid: '',
    ishtml: c.ishtml ? '1' : '0',
    content_ishtml: c.ishtml ? '1' : '0',
    create_to_html_root: '0',
    template_list: 'default',
    category_ruleid: String(c.listRule),
    show_ruleid: String(c.showRule),
    meta_title: c.catname,
    meta_keywords: `${c.catname},米易县`,
    meta_description: `米易县人民政府${c.catname}`,
  };
  if (c.catid % 2 === 0) return JSON.stringify(s);
  return `array (\n${Object.entries(s)
    .map(([k, v]) => `  '${k}' => '${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}',`)
    .join('\n')}\n)`;
}

const NEWS_CATS = [2, 3, 4, 2, 4];
const START = 1330531200; // 2012-03-01 00:00 +08:00

export interface PhpcmsGenNews {
  id: number;
  catid: number;
  title: string;
  status: number;
  islink: number;
  url: string;
  username: string;
  inputtime: number;
  updatetime: number;
  copyfrom: string;
  pages: number;
  thumb: string;
  keywords: string;
  description: string;
  attachments: { aid: number; filepath: string; filename: string; ext: keyof typeof TINY_FILES; isimage: number }[];
}

export function phpcmsNews(i: number, seed = 1): PhpcmsGenNews {
  const r = rng(seed * 6007 + i);
  const inputtime = START + i * 2400 + Math.floor(r() * 600);
  const { y, m, d } = chinaDate(inputtime);
  const g = govArticle(r, Number(y), i, false);
  const catid = NEWS_CATS[i % NEWS_CATS.length]!;
  const c = PHPCMS_CATEGORIES.find((x) => x.catid === catid)!;
  const islink = i % 43 === 0 ? 1 : 0;
  const status = i % 31 === 0 ? 1 : i % 37 === 0 ? 0 : 99;
  const url = islink
    ? 'http://www.sc.gov.cn/10462/c102914/list_ft.shtml'
    : c.showRule === 12
      ? `${SITE}/html/${c.parentdir}${c.catdir}/${y}/${m}${d}/${i}.html`
      : c.showRule === 11
        ? `${SITE}/html/${y}/${c.catdir}_${m}${d}/${i}.html`
        : `${SITE}/index.php?m=content&c=index&a=show&catid=${catid}&id=${i}`;
  const ts = `${y}${m}${d}${String(100000 + i).slice(-6)}`;
  const attachments: PhpcmsGenNews['attachments'] = [
    {
      aid: i * 2 - 1,
      filepath: `${y}/${m}${d}/${ts}${100 + (i % 900)}.jpg`,
      filename: `${g.topic}现场.jpg`,
      ext: 'jpg',
      isimage: 1,
    },
  ];
  if (i % 4 === 0)
    attachments.push({
      aid: i * 2,
      filepath: `${y}/${m}${d}/${ts}${200 + (i % 700)}.pdf`,
      filename: `${g.topic}工作方案.pdf`,
      ext: 'pdf',
      isimage: 0,
    });
  return {
    id: i,
    catid,
    title: g.title,
    status,
    islink,
    url,
    username: i % 5 === 0 ? 'zfb_admin' : 'admin',
    inputtime,
    updatetime: inputtime + (i % 3) * 3600,
    copyfrom: `${g.department}|${(i % 5) + 1}`,
    pages: i % 10 === 0 ? 3 : 1,
    thumb: i % 3 === 0 ? `${SITE}/uploadfile/${attachments[0]!.filepath.replace('.jpg', '_thumb.jpg')}` : '',
    keywords: `${g.topic} 米易县`,
    description: g.docNumber ? `${g.docNumber}。${g.title}` : g.title,
    attachments,
  };
}

export function phpcmsContent(n: PhpcmsGenNews, seed = 1): string {
  const r = rng(seed * 15485863 + n.id);
  return govBody(r, {
    title: n.title,
    docNumber: n.description.includes('〔') ? n.description.split('。')[0]! : null,
    department: n.copyfrom.split('|')[0]!,
    date: new Date((n.inputtime + 8 * 3600) * 1000),
    images: n.attachments.filter((a) => a.isimage).map((a) => `${SITE}/uploadfile/${a.filepath}`),
    attachments: n.attachments
      .filter((a) => !a.isimage)
      .map((a) => ({ url: `${SITE}/uploadfile/${a.filepath}`, name: a.filename })),
    pageBreaks: n.pages > 1 ? ['[page]', '<p>[page]第三部分 保障措施[/page]</p>'] : [],
    traps: n.id % 5 === 0,
  });
}

export interface GeneratedPhpcmsDump {
  files: string[];
  uploadsDir: string | null;
  counts: { columns: number; published: number; pending: number; rejected: number; links: number; attachments: number };
}

export async function generatePhpcms(o: PhpcmsGenOptions): Promise<GeneratedPhpcmsDump> {
  const seed = o.seed ?? 1;
  const prefix = o.prefix ?? 'v9_';
  const text = (s: string): string => (o.mojibake ? asLatin1Mojibake(s) : s);
  const w = new DumpWriter(o.outDir, o.style, o.encoding, {
    volumeBytes: o.volumeBytes,
    rowsPerInsert: o.rowsPerInsert,
    seed,
    escaping: o.escaping,
  });
  const table = async (logical: string) => {
    const ddl = PHPCMS_SCHEMA[logical]!.replace('phpcms_', prefix).replace(
      /CREATE TABLE IF NOT EXISTS/,
      'CREATE TABLE',
    );
    await w.table({ name: `${prefix}${logical}`, ddl, columns: [...ddl.matchAll(/^\s+`(\w+)`/gm)].map((m) => m[1]!) });
    return (values: Record<string, OutValue>) => w.row(rowFor(ddl, values));
  };
  const counts = { columns: PHPCMS_CATEGORIES.length, published: 0, pending: 0, rejected: 0, links: 0, attachments: 0 };
  let row = await table('attachment');
  for (let i = 1; i <= o.items; i++) {
    const n = phpcmsNews(i, seed);
    for (const a of n.attachments) {
      counts.attachments++;
      await row({
        aid: a.aid,
        module: 'content',
        catid: n.catid,
        filename: text(a.filename),
        filepath: a.filepath,
        filesize: TINY_FILES[a.ext]!.length,
        fileext: a.ext,
        isimage: a.isimage,
        userid: 1,
        uploadtime: n.inputtime,
        uploadip: '127.0.0.1',
        status: 1,
        authcode: `${a.aid}`.padStart(32, '0'),
        siteid: 1,
      });
    }
  }
  row = await table('attachment_index');
  for (let i = 1; i <= o.items; i++) {
    const n = phpcmsNews(i, seed);
    for (const a of n.attachments) await row({ keyid: `c-${n.catid}-${i}`, aid: String(a.aid) });
  }
  row = await table('category');
  for (const c of PHPCMS_CATEGORIES) {
    await row({
      catid: c.catid,
      siteid: 1,
      module: 'content',
      type: c.type,
      modelid: c.type === 0 ? 1 : 0,
      parentid: c.parentid,
      arrparentid: c.parentid ? `0,${c.parentid}` : '0',
      child: 0,
      arrchildid: String(c.catid),
      catname: text(c.catname),
      style: '',
      image: '',
      description: text(`米易县人民政府${c.catname}`),
      parentdir: c.parentdir,
      catdir: c.catdir,
      url: categoryUrl(c),
      items: 0,
      hits: 0,
      setting: text(categorySetting(c)),
      listorder: c.catid,
      ismenu: 1,
      sethtml: 0,
      letter: c.catdir,
      usable_type: '',
    });
  }
  row = await table('model');
  await row({
    modelid: 1,
    siteid: 1,
    name: text('文章模型'),
    description: '',
    tablename: 'news',
    setting: '',
    addtime: 0,
    items: 0,
    enablesearch: 1,
    disabled: 0,
    default_style: 'default',
    category_template: 'category',
    list_template: 'list',
    show_template: 'show',
    js_template: '',
    admin_list_template: '',
    member_add_template: '',
    member_list_template: '',
    sort: 0,
    type: 0,
  });
  row = await table('news');
  for (let i = 1; i <= o.items; i++) {
    const n = phpcmsNews(i, seed);
    if (n.islink) counts.links++;
    else if (n.status === 99) counts.published++;
    else if (n.status === 0) counts.rejected++;
    else counts.pending++;
    await row({
      id: i,
      catid: n.catid,
      typeid: 0,
      title: text(n.title),
      style: '',
      thumb: n.thumb,
      keywords: text(n.keywords),
      description: text(n.description),
      posids: 0,
      url: n.url,
      listorder: 0,
      status: n.status,
      sysadd: 1,
      islink: n.islink,
      username: n.username,
      inputtime: n.inputtime,
      updatetime: n.updatetime,
    });
  }
  row = await table('news_data');
  for (let i = 1; i <= o.items; i++) {
    const n = phpcmsNews(i, seed);
    await row({
      id: i,
      content: text(n.islink ? '' : phpcmsContent(n, seed)),
      readpoint: 0,
      groupids_view: '',
      paginationtype: n.pages > 1 ? 2 : 0,
      maxcharperpage: 10000,
      template: '',
      paytype: 0,
      relation: '',
      voteid: 0,
      allow_comment: 1,
      copyfrom: text(n.copyfrom),
    });
  }
  row = await table('page');
  await row({
    catid: 5,
    title: text('机构概况'),
    style: '',
    keywords: text('机构 职能'),
    content: text(
      '<p style="text-indent: 2em;">米易县人民政府办公室是县政府的综合办事机构。</p>[page]<p>内设机构：秘书股、督查股。</p>',
    ),
    template: '',
    updatetime: START,
  });
  row = await table('site');
  await row({
    siteid: 1,
    name: text('米易县人民政府'),
    dirname: '',
    domain: `${SITE}/`,
    site_title: text('米易县人民政府'),
    keywords: '',
    description: '',
    release_point: '',
    default_style: 'default',
    template: 'default',
    setting: '',
    uuid: '',
  });
  const files = await w.close();
  if (o.uploadsDir) {
    for (let i = 1; i <= Math.min(o.filesForItems ?? o.items, o.items); i++) {
      if (i % 53 === 0) continue;
      for (const a of phpcmsNews(i, seed).attachments) {
        const path = join(o.uploadsDir, 'uploadfile', a.filepath);
        await mkdir(dirname(path), { recursive: true });
        await writeFile(path, TINY_FILES[a.ext]!);
      }
    }
  }
  return { files, uploadsDir: o.uploadsDir ?? null, counts };
}
