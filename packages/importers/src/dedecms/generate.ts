/**
 * Generates a realistic DedeCMS 5.7 government site dump (tests and bench): a county column tree
 * (政务公开/通知公告/政策文件/部门动态…, a single page, an external link, a dynamic column), articles with ~3 KB
 * 公文 bodies, 文号, images and attachments under `/uploads`, pending/trash/members-only rows, `#p#` page
 * breaks, titles cut by `char(60)`, software-channel rows the importer refuses — in GBK or UTF-8 and in every
 * dump style (mysqldump, phpMyAdmin, Navicat, DedeCMS backup `.txt`, EmpireBak), from the real 5.7 schema.
 * Streams to disk at any scale; the same seed gives the same bytes.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { type DumpEncoding, type DumpStyle, DumpWriter, type OutValue, rowFor } from '../sql/dump-writer.ts';
import { TINY_FILES, asLatin1Mojibake, govArticle, govBody, rng } from '../sql/gov-text.ts';
import { DEDE_SCHEMA } from './schema.ts';

export interface DedeGenOptions {
  outDir: string;
  items: number;
  style: DumpStyle;
  encoding: DumpEncoding;
  seed?: number;
  /** Table prefix (default `dede_`). */
  prefix?: string;
  /** `cfg_cmspath` (default ''). */
  cmspath?: string;
  /** Write the referenced images and attachments under this folder (`uploads/allimg/…`). */
  uploadsDir?: string | null;
  /** Write files only for the first N items (default all); about 2% are left out on purpose (missing files). */
  filesForItems?: number;
  /** Store text as GBK read as Latin-1 in a UTF-8 dump (a badly converted site). */
  mojibake?: boolean;
  volumeBytes?: number;
  rowsPerInsert?: number;
  /** Override the style's escaping (a PHPCMS bakfile written over mysqli with set_charset is charset-aware). */
  escaping?: 'charset-aware' | 'addslashes';
}

export interface DedeColumnSpec {
  id: number;
  reid: number;
  typename: string;
  typedir: string;
  ispart: number;
  isdefault: number;
  channeltype: number;
  namerule: string;
  namerule2: string;
  content: string;
  sortrank: number;
}

const RULE = '{typedir}/{Y}/{M}{D}/{aid}.html';
const RULE2 = '{typedir}/list_{tid}_{page}.html';

export const DEDE_COLUMNS: DedeColumnSpec[] = [
  {
    id: 1,
    reid: 0,
    typename: '政务公开',
    typedir: '{cmspath}/a/zwgk',
    ispart: 0,
    isdefault: 1,
    channeltype: 1,
    namerule: RULE,
    namerule2: RULE2,
    content: '',
    sortrank: 1,
  },
  {
    id: 2,
    reid: 1,
    typename: '通知公告',
    typedir: '{cmspath}/a/zwgk/tzgg',
    ispart: 0,
    isdefault: 1,
    channeltype: 1,
    namerule: RULE,
    namerule2: RULE2,
    content: '',
    sortrank: 2,
  },
  {
    id: 3,
    reid: 1,
    typename: '政策文件',
    typedir: '{cmspath}/a/zwgk/zcwj',
    ispart: 0,
    isdefault: 0,
    channeltype: 1,
    namerule: '{typedir}/{Y}{M}{D}/{aid}.html',
    namerule2: RULE2,
    content: '',
    sortrank: 3,
  },
  {
    id: 4,
    reid: 0,
    typename: '部门动态',
    typedir: '{cmspath}/a/bmdt',
    ispart: 0,
    isdefault: 1,
    channeltype: 1,
    namerule: RULE,
    namerule2: RULE2,
    content: '',
    sortrank: 4,
  },
  {
    id: 5,
    reid: 4,
    typename: '乡镇动态',
    typedir: '{cmspath}/a/bmdt/xzdt',
    ispart: 0,
    isdefault: -1,
    channeltype: 1,
    namerule: RULE,
    namerule2: RULE2,
    content: '',
    sortrank: 5,
  },
  {
    id: 6,
    reid: 1,
    typename: '机构概况',
    typedir: '{cmspath}/a/zwgk/jggk',
    ispart: 1,
    isdefault: 1,
    channeltype: 1,
    namerule: RULE,
    namerule2: RULE2,
    content:
      '<p style="text-indent: 2em;">米易县人民政府是米易县的国家行政机关，负责全县行政工作。地址：米易县攀莲镇新华街1号。</p>',
    sortrank: 6,
  },
  {
    id: 7,
    reid: 0,
    typename: '中国政府网',
    typedir: 'http://www.gov.cn/',
    ispart: 2,
    isdefault: 0,
    channeltype: 1,
    namerule: RULE,
    namerule2: RULE2,
    content: '',
    sortrank: 7,
  },
  {
    id: 8,
    reid: 0,
    typename: '软件下载',
    typedir: '{cmspath}/a/soft',
    ispart: 0,
    isdefault: 1,
    channeltype: 3,
    namerule: RULE,
    namerule2: RULE2,
    content: '',
    sortrank: 8,
  },
];

const ARTICLE_COLUMNS = [2, 3, 4, 5, 2, 2, 3];
/** 2011-03-01 00:00 China time. */
const START = 1298908800;

export interface DedeGenArticle {
  id: number;
  typeid: number;
  typeid2: string;
  channel: number;
  arcrank: number;
  ismake: number;
  flag: string;
  /** The title as written (long ones are cut to 60 characters like char(60) does). */
  title: string;
  fullTitle: string;
  writer: string;
  source: string;
  litpic: string;
  pubdate: number;
  senddate: number;
  filename: string;
  keywords: string;
  description: string;
  pages: number;
  uploads: { url: string; title: string; mediatype: number; kind: keyof typeof TINY_FILES }[];
}

const yymmdd = (ts: number) => new Date((ts + 8 * 3600) * 1000).toISOString().slice(2, 10).replace(/-/g, '');

/** Article `i` (1-based) of a generated site; pure, so tests can compute what the importer must find. */
export function dedeArticle(i: number, seed = 1): DedeGenArticle {
  const r = rng(seed * 7919 + i);
  const senddate = START + i * 1800 + Math.floor(r() * 1200);
  const pubdate = i % 7 === 0 ? senddate + 86400 : senddate;
  const year = new Date((senddate + 8 * 3600) * 1000).getUTCFullYear();
  const long = i % 23 === 0;
  const g = govArticle(r, year, i, long);
  const channel = i % 50 === 0 ? 3 : 1;
  const typeid = channel === 3 ? 8 : ARTICLE_COLUMNS[i % ARTICLE_COLUMNS.length]!;
  const arcrank = i % 31 === 0 ? -1 : i % 37 === 0 ? -2 : i % 41 === 0 ? 1 : 0;
  const day = yymmdd(senddate);
  const stamp = `${day}${String(10 + (i % 12)).padStart(2, '0')}${String(i % 60).padStart(2, '0')}00`;
  const uploads: DedeGenArticle['uploads'] = [
    { url: `/uploads/allimg/${day}/${i}-${stamp}.jpg`, title: `${g.topic}现场图片`, mediatype: 1, kind: 'jpg' },
  ];
  if (i % 3 === 0)
    uploads.push({ url: `/uploads/allimg/${day}/${i}-${stamp}1.png`, title: '示意图', mediatype: 1, kind: 'png' });
  if (i % 4 === 0)
    uploads.push({
      url: `/uploads/soft/${day}/${i}-${stamp}.${i % 8 === 0 ? 'doc' : 'pdf'}`,
      title: `附件1：${g.topic}工作责任分解表`,
      mediatype: 4,
      kind: i % 8 === 0 ? 'doc' : 'pdf',
    });
  return {
    id: i,
    typeid,
    typeid2: i % 19 === 0 && typeid !== 4 ? '4' : '0',
    channel,
    arcrank,
    ismake: i % 13 === 0 ? -1 : 1,
    flag: i % 11 === 0 ? 'c,h' : i % 3 === 0 ? 'p' : '',
    title: [...g.title].slice(0, 60).join(''),
    fullTitle: g.title,
    writer: i % 5 === 0 ? '县政府办' : '李明',
    source: g.department,
    litpic: i % 3 === 0 ? `/uploads/allimg/${day}/${i}-${stamp}-L.jpg` : '',
    pubdate,
    senddate,
    filename: i % 97 === 0 ? `notice${i}` : '',
    keywords: `${g.topic},米易县`,
    description: `${g.title}。${g.docNumber ?? ''}`.slice(0, 120),
    pages: i % 10 === 0 ? 3 : 1,
    uploads,
  };
}

export function dedeBody(a: DedeGenArticle, seed = 1): string {
  const r = rng(seed * 104729 + a.id);
  const g = govArticle(rng(seed * 7919 + a.id), 2000, a.id, false);
  return govBody(r, {
    title: a.fullTitle,
    docNumber: /〔/.test(a.description) ? a.description.slice(a.description.indexOf('米府')) : null,
    department: a.source || g.department,
    date: new Date(a.pubdate * 1000 + 8 * 3600 * 1000),
    images: a.uploads.filter((u) => u.mediatype === 1).map((u) => u.url),
    attachments: a.uploads.filter((u) => u.mediatype === 4).map((u) => ({ url: u.url, name: u.title })),
    pageBreaks: a.pages > 1 ? ['<p>#p#分页标题#e#</p>', '#p#第三部分 保障措施#e#'] : [],
    traps: a.id % 5 === 0,
  });
}

export interface GeneratedDump {
  files: string[];
  uploadsDir: string | null;
  counts: {
    columns: number;
    published: number;
    pending: number;
    trash: number;
    private: number;
    unsupported: number;
    uploads: number;
  };
}

/** Writes the dump (and optionally the uploads folder) and returns the files and what they hold. */
export async function generateDedecms(o: DedeGenOptions): Promise<GeneratedDump> {
  const seed = o.seed ?? 1;
  const prefix = o.prefix ?? 'dede_';
  const text = (s: string): string => (o.mojibake ? asLatin1Mojibake(s) : s);
  const w = new DumpWriter(o.outDir, o.style, o.encoding, {
    volumeBytes: o.volumeBytes,
    rowsPerInsert: o.rowsPerInsert,
    seed,
    escaping: o.escaping,
  });
  const table = async (logical: string) => {
    const ddl = DEDE_SCHEMA[logical]!.replace('#@__', prefix);
    await w.table({ name: `${prefix}${logical}`, ddl, columns: [...ddl.matchAll(/^\s+`(\w+)`/gm)].map((m) => m[1]!) });
    return (values: Record<string, OutValue>) => w.row(rowFor(ddl, values));
  };
  const counts = {
    columns: DEDE_COLUMNS.length,
    published: 0,
    pending: 0,
    trash: 0,
    private: 0,
    unsupported: 0,
    uploads: 0,
  };
  // alphabetical, as mysqldump and the backup tools list tables: bodies come before their metadata
  let row = await table('addonarticle');
  for (let i = 1; i <= o.items; i++) {
    const a = dedeArticle(i, seed);
    if (a.channel !== 1) continue;
    await row({
      aid: i,
      typeid: a.typeid,
      body: text(dedeBody(a, seed)),
      redirecturl: '',
      templet: '',
      userip: '127.0.0.1',
    });
  }
  row = await table('addonsoft');
  for (let i = 1; i <= o.items; i++) {
    const a = dedeArticle(i, seed);
    if (a.channel !== 3) continue;
    await row({
      aid: i,
      typeid: a.typeid,
      filetype: '.zip',
      language: '简体中文',
      softtype: '国产软件',
      os: 'Win7/Win10',
      softlinks: "{dede:link text='本地下载'} /uploads/soft/setup.zip {/dede:link}",
      introduce: text('<p>办公软件下载</p>'),
    });
  }
  row = await table('archives');
  for (let i = 1; i <= o.items; i++) {
    const a = dedeArticle(i, seed);
    if (a.channel !== 1) counts.unsupported++;
    else if (a.arcrank === 0) counts.published++;
    else if (a.arcrank === -1) counts.pending++;
    else if (a.arcrank === -2) counts.trash++;
    else counts.private++;
    await row({
      id: i,
      typeid: a.typeid,
      typeid2: a.typeid2,
      sortrank: a.pubdate,
      flag: a.flag || null,
      ismake: a.ismake,
      channel: a.channel,
      arcrank: a.arcrank,
      click: (i * 37) % 1000,
      title: text(a.title),
      writer: text(a.writer),
      source: text(a.source),
      litpic: a.litpic,
      pubdate: a.pubdate,
      senddate: a.senddate,
      mid: 1,
      keywords: text(a.keywords),
      description: text(a.description),
      filename: a.filename,
      voteid: 0,
    });
  }
  row = await table('arctype');
  for (const c of DEDE_COLUMNS) {
    await row({
      id: c.id,
      reid: c.reid,
      topid: c.reid,
      sortrank: c.sortrank,
      typename: text(c.typename),
      typedir: c.typedir,
      isdefault: c.isdefault,
      defaultname: 'index.html',
      channeltype: c.channeltype,
      ispart: c.ispart,
      tempindex: '{style}/index_article.htm',
      templist: '{style}/list_article.htm',
      temparticle: '{style}/article_article.htm',
      namerule: c.namerule,
      namerule2: c.namerule2,
      modname: 'default',
      description: text(`米易县人民政府${c.typename}栏目`),
      keywords: text(c.typename),
      crossid: '',
      content: text(c.content),
      smalltypes: '',
    });
  }
  row = await table('channeltype');
  await row({
    id: 1,
    nid: 'article',
    typename: text('普通文章'),
    maintable: `${prefix}archives`,
    addtable: `${prefix}addonarticle`,
    issystem: 1,
  });
  await row({
    id: 3,
    nid: 'soft',
    typename: text('软件'),
    maintable: `${prefix}archives`,
    addtable: `${prefix}addonsoft`,
    issystem: 1,
  });
  row = await table('sysconfig');
  const sys: [string, string, string][] = [
    ['cfg_basehost', '站点根网址', 'http://www.miyi.gov.cn'],
    ['cfg_cmspath', 'DedeCMS安装目录', o.cmspath ?? ''],
    ['cfg_webname', '网站名称', '米易县人民政府'],
    ['cfg_arcdir', '文档HTML默认保存路径', '/a'],
    ['cfg_medias_dir', '图片/上传文件默认路径', '/uploads'],
  ];
  for (const [k, [varname, info, value]] of sys.entries())
    await row({ aid: k + 1, varname, info: text(info), groupid: 1, type: 'string', value: text(value) });
  row = await table('uploads');
  let upId = 0;
  for (let i = 1; i <= o.items; i++) {
    const a = dedeArticle(i, seed);
    for (const u of a.uploads) {
      upId++;
      counts.uploads++;
      await row({
        aid: upId,
        arcid: i,
        title: text(u.title),
        url: u.url,
        mediatype: u.mediatype,
        width: '',
        height: '',
        playtime: '',
        filesize: TINY_FILES[u.kind]!.length,
        uptime: a.senddate,
        mid: 1,
      });
    }
  }
  const files = await w.close();
  if (o.uploadsDir) {
    const limit = o.filesForItems ?? o.items;
    for (let i = 1; i <= Math.min(limit, o.items); i++) {
      if (i % 53 === 0) continue; // missing on purpose
      const a = dedeArticle(i, seed);
      const all = [
        ...a.uploads.map((u) => [u.url, u.kind] as const),
        ...(a.litpic ? [[a.litpic, 'jpg'] as const] : []),
      ];
      for (const [url, kind] of all) {
        const path = join(o.uploadsDir, url);
        await mkdir(dirname(path), { recursive: true });
        await writeFile(path, TINY_FILES[kind]!);
      }
    }
  }
  return { files, uploadsDir: o.uploadsDir ?? null, counts };
}
