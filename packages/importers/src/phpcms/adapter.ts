/**
 * PHPCMS v9 from a MySQL dump or `# phpcms bakfile` volumes (legacy-formats.md §4): `category` → columns,
 * `news` + `news_data` → items, `page` → single pages, `attachment` (+ `attachment_index`) → files.
 *
 * Two passes like the DedeCMS adapter: pass 1 reads the small tables and the `news` metadata rows (spilled to a
 * temporary file), pass 2 streams `news_data` bodies and joins them, and the attachments.
 */
import { basename } from 'node:path';
import {
  type ImportEvent,
  type ImportSource,
  ImportSourceError,
  type LegacyColumn,
  type OpenOptions,
  type SkipReason,
  type SourceAdapter,
  type SourceInput,
} from '../record.ts';
import { PrefixResolver, filesOf, passThrough, sniffDump } from '../sql/kit.ts';
import { readDump } from '../sql/read.ts';
import { SpillStore } from '../sql/spill.ts';
import {
  type Row,
  chinaDate,
  int,
  keywords,
  mimeFromName,
  parentsFirst,
  str,
  textOf,
  unixToIso,
} from '../sql/values.ts';
import { phpcmsColumns } from './schema.ts';
import { type PhpValue, parseSetting } from './setting.ts';

interface NewsMeta {
  /** The content table as dumped (`v9_news`, a custom model's `v9_zfxxgk`). */
  raw: string;
  id: number;
  /** A custom model's own fields (文号, 发布机构…), small. */
  fields?: Record<string, string>;
  catid: number;
  title: string;
  thumb: string;
  keywords: string;
  description: string;
  url: string;
  status: number;
  islink: number;
  username: string;
  inputtime: number;
  updatetime: number;
  listorder: number;
  repaired: boolean;
}

interface Category {
  catid: number;
  parentid: number;
  type: number;
  modelid: number;
  catname: string;
  catdir: string;
  parentdir: string;
  url: string;
  description: string;
  listorder: number;
  setting: Record<string, PhpValue>;
  settingOk: boolean;
  repaired: boolean;
}

/** `v9_urlrule` as installed (legacy-formats.md §4.3): used when a dump has no urlrule table. */
const DEFAULT_RULES: Record<number, string> = {
  1: '{$categorydir}{$catdir}/index.html|{$categorydir}{$catdir}/{$page}.html',
  6: 'index.php?m=content&c=index&a=lists&catid={$catid}|index.php?m=content&c=index&a=lists&catid={$catid}&page={$page}',
  11: '{$year}/{$catdir}_{$month}{$day}/{$id}.html|{$year}/{$catdir}_{$month}{$day}/{$id}_{$page}.html',
  12: '{$categorydir}{$catdir}/{$year}/{$month}{$day}/{$id}.html|{$categorydir}{$catdir}/{$year}/{$month}{$day}/{$id}_{$page}.html',
  16: 'index.php?m=content&c=index&a=show&catid={$catid}&id={$id}|index.php?m=content&c=index&a=show&catid={$catid}&id={$id}&page={$page}',
  17: 'show-{$catid}-{$id}-{$page}.html',
  18: 'content-{$catid}-{$id}-{$page}.html',
  30: 'list-{$catid}-{$page}.html',
};
/** `html_root` in caches/configs/system.php: where static pages are generated. */
const HTML_ROOT = '/html';
const LIST_PAGE_SIZE = 20;

const PASS1 = new Set([
  'category',
  'model',
  'urlrule',
  'site',
  'news',
  'attachment_index',
  'page',
  'picture',
  'download',
]);
const PASS2 = new Set(['news_data', 'attachment']);
/** Columns every v9 content model's main table has (content/fields/model.sql); a table with them is a model's. */
const MAIN_SHAPE = ['id', 'catid', 'title', 'url', 'status', 'islink', 'username', 'inputtime'];
const MAIN_BASE = new Set([
  ...MAIN_SHAPE,
  'typeid',
  'style',
  'thumb',
  'keywords',
  'description',
  'posids',
  'listorder',
  'sysadd',
  'updatetime',
]);
const DATA_BASE = new Set([
  'id',
  'content',
  'readpoint',
  'groupids_view',
  'paginationtype',
  'maxcharperpage',
  'template',
  'paytype',
  'relation',
  'voteid',
  'allow_comment',
  'copyfrom',
]);
/** The installed picture and download models: not articles. */
const NOT_ARTICLE_MODELS = /(^|_)(picture|download)$/;

function ownFields(r: Row, base: Set<string>, text: (v: Row[string]) => string): Record<string, string> | undefined {
  let out: Record<string, string> | undefined;
  for (const [k, v] of Object.entries(r)) {
    if (base.has(k) || v === null || v === '' || v instanceof Uint8Array) continue;
    out ??= {};
    out[k] = text(v).slice(0, 500);
  }
  return out;
}
const KEY_TABLE = /^(.*?)(news_data|news|category)$/;

export const phpcmsAdapter: SourceAdapter = {
  system: 'phpcms',
  sniff(input: SourceInput): number {
    return sniffDump(input, {
      strong: /(v9_|phpcms_)(news|news_data|category)\b|^\uFEFF?# phpcms bakfile/m,
      names: /(^|_)(news|news_data)(_\d+)?\.(php|sql)$|_db_\d{8}_\d+\.sql$/i,
      weak: /`\w+_news_data`/,
      not: /dede_archives|#@__archives|dede_arctype/,
    });
  },
  async open(input: SourceInput, options: OpenOptions): Promise<ImportSource> {
    return new PhpcmsSource(await filesOf(input.paths, 'phpcms'), options);
  },
};

function statusOf(status: number): { reason: SkipReason | null } {
  if (status === 99) return { reason: null };
  if (status === 0) return { reason: 'DRAFT' }; // 退稿: sent back to its author
  return { reason: 'PENDING' }; // 1…n: waiting at workflow step n
}

/** Site-relative form of a URL on the old site (the stored `url` is often absolute). */
function pathOf(url: string): string | null {
  try {
    const u = new URL(url);
    return u.pathname + u.search;
  } catch {
    return null;
  }
}

export function joinPhpcmsPages(content: string): { html: string; pages: number } {
  let pages = 1;
  const html = content.replace(
    /<p[^>]*>\s*\[page\]((?:(?!\[page\])[\s\S])*?)\[\/page\]\s*<\/p>|\[page\]((?:(?!\[page\])[\s\S])*?)\[\/page\]|<p[^>]*>\s*\[page\]\s*<\/p>|\[page\]/gi,
    (_m, a?: string, b?: string) => {
      pages++;
      const title = (a ?? b ?? '').replace(/<[^>]*>/g, '').trim();
      return title ? `<h2>${title}</h2>` : '';
    },
  );
  return { html, pages };
}

function fillRule(rule: string, vars: Record<string, string>): string {
  return rule.replace(/\{\$(\w+)\}/g, (m, k: string) => vars[k] ?? m);
}

class PhpcmsSource implements ImportSource {
  readonly system = 'phpcms' as const;
  siteName: string | null = null;
  baseUrl: string | null = null;
  private readonly files: string[];
  private readonly options: OpenOptions;

  constructor(files: string[], options: OpenOptions) {
    this.files = files;
    this.options = options;
  }

  async *read(): AsyncGenerator<ImportEvent> {
    const prefix = new PrefixResolver(KEY_TABLE);
    const fallback = (t: string) => {
      const l = prefix.logical(t);
      return l ? phpcmsColumns(l) : null;
    };
    // content tables of custom models, recognised by their columns in CREATE TABLE (raw names, prefix included)
    const mainRaw = new Set<string>();
    const wanted = (set: Set<string>) => (t: string) => {
      if (set === PASS1 && mainRaw.has(t)) return true;
      if (set === PASS2 && t.endsWith('_data') && mainRaw.has(t.slice(0, -5))) return true;
      const l = prefix.logical(t);
      // attachment_index sorts before category, the table the prefix is learnt from: keep it per candidate prefix
      if (l === null && prefix.prefix === null && set.has('attachment_index')) return t.endsWith('attachment_index');
      return l !== null && set.has(l);
    };
    const earlyIndex = new Map<string, Map<number, string>>();
    const spill = await SpillStore.create<NewsMeta>();
    try {
      const cats = new Map<number, Category>();
      const rules = new Map<number, string>(Object.entries(DEFAULT_RULES).map(([k, v]) => [Number(k), v]));
      const models = new Map<number, string>();
      const attachItem = new Map<number, string>();
      const pages: { catid: number; title: string; content: string; keywords: string; updatetime: number }[] = [];
      const perCat = new Map<number, number>();
      const refused = new Map<string, number>();
      let encoding = 'utf-8';
      for await (const ev of readDump(this.files, {
        encoding: this.options.encoding,
        wantTable: wanted(PASS1),
        fallbackColumns: fallback,
        onCreate: (table, columns) => {
          const names = new Set(columns.map((c) => c.name));
          if (MAIN_SHAPE.every((c) => names.has(c)) && !NOT_ARTICLE_MODELS.test(table)) mainRaw.add(table);
        },
      })) {
        const out = passThrough(ev, true);
        if (out) yield out;
        if (ev.kind === 'encoding') encoding = ev.encoding;
        if (ev.kind !== 'row') continue;
        const r = ev.row;
        let repaired = false;
        const text = (v: Row[string] | undefined) => textOf(v, encoding, () => (repaired = true));
        const logical = prefix.logical(ev.table);
        switch (mainRaw.has(ev.table) ? 'news' : logical) {
          case 'site':
            if (int(r.siteid) === 1 || this.siteName === null) {
              this.siteName = text(r.name) || this.siteName;
              const domain = str(r.domain).replace(/\/+$/, '');
              if (domain) this.baseUrl = domain;
            }
            break;
          case 'urlrule':
            rules.set(int(r.urlruleid), str(r.urlrule));
            break;
          case 'model':
            models.set(int(r.modelid), str(r.tablename));
            break;
          case 'category': {
            const setting = parseSetting(str(r.setting));
            cats.set(int(r.catid), {
              catid: int(r.catid),
              parentid: int(r.parentid),
              type: int(r.type),
              modelid: int(r.modelid),
              catname: text(r.catname),
              catdir: str(r.catdir),
              parentdir: str(r.parentdir),
              url: str(r.url),
              description: text(r.description),
              listorder: int(r.listorder),
              setting: setting.value,
              settingOk: setting.ok,
              repaired,
            });
            break;
          }
          case 'news': {
            const meta: NewsMeta = {
              raw: ev.table,
              id: int(r.id),
              fields: logical === 'news' ? undefined : ownFields(r, MAIN_BASE, text),
              catid: int(r.catid),
              title: text(r.title),
              thumb: str(r.thumb),
              keywords: text(r.keywords),
              description: text(r.description),
              url: str(r.url),
              status: int(r.status),
              islink: int(r.islink),
              username: text(r.username),
              inputtime: int(r.inputtime),
              updatetime: int(r.updatetime),
              listorder: int(r.listorder),
              repaired: false,
            };
            meta.repaired = repaired;
            spill.put(`${ev.table}:${meta.id}`, meta);
            if (meta.status === 99 && !meta.islink) perCat.set(meta.catid, (perCat.get(meta.catid) ?? 0) + 1);
            break;
          }
          case 'attachment_index': {
            const m = /^c-(\d+)-(\d+)$/.exec(str(r.keyid));
            if (m) attachItem.set(int(r.aid), `${m[1]}-${m[2]}`);
            break;
          }
          case 'page':
            pages.push({
              catid: int(r.catid),
              title: text(r.title),
              content: text(r.content),
              keywords: text(r.keywords),
              updatetime: int(r.updatetime),
            });
            break;
          case 'picture':
          case 'download': {
            const model = logical ?? 'picture';
            refused.set(model, (refused.get(model) ?? 0) + 1);
            yield {
              type: 'skipped',
              sourceId: `${model}-${int(r.id)}`,
              what: model,
              reason: 'UNSUPPORTED_TYPE',
              title: text(r.title),
            };
            break;
          }
          default:
            if (logical === null && ev.table.endsWith('attachment_index')) {
              const candidate = ev.table.slice(0, -'attachment_index'.length);
              const m = /^c-(\d+)-(\d+)$/.exec(str(r.keyid));
              if (!earlyIndex.has(candidate)) earlyIndex.set(candidate, new Map());
              if (m) earlyIndex.get(candidate)!.set(int(r.aid), `${m[1]}-${m[2]}`);
            }
            break;
        }
      }
      for (const [aid, id] of earlyIndex.get(prefix.prefix ?? '') ?? [])
        if (!attachItem.has(aid)) attachItem.set(aid, id);
      earlyIndex.clear();
      if (prefix.prefix === null)
        throw new ImportSourceError(
          'IMPORT_SOURCE_UNREADABLE',
          `no PHPCMS v9 table (category, news, news_data) in ${this.files.map((f) => basename(f)).join(', ')}: not a PHPCMS dump`,
        );
      for (const [t, n] of refused)
        yield warn('UNSUPPORTED_MODEL', `${n} row(s) of the ${t} model are not articles and were not imported`);

      // ---- columns
      const ordered = parentsFirst(
        [...cats.values()],
        (c) => String(c.catid),
        (c) => (c.parentid ? String(c.parentid) : null),
      );
      for (const c of ordered) {
        if (!c.settingOk)
          yield warn(
            'BAD_SETTING',
            `category ${c.catid} (${c.catname}) has a setting that is neither var_export nor JSON; defaults used`,
            `category-${c.catid}`,
          );
        if (c.repaired) yield mojibake(`category-${c.catid}`);
        const column: LegacyColumn = {
          sourceId: String(c.catid),
          parentSourceId: c.parentid && cats.has(c.parentid) ? String(c.parentid) : null,
          name: c.catname,
          slug: c.catdir || null,
          description: c.description || null,
          keywords: str(c.setting.meta_keywords as string) || null,
          kind: c.type === 1 ? 'page' : c.type === 2 ? 'link' : 'list',
          position: c.listorder,
          oldUrls: c.type === 2 ? [] : this.categoryUrls(c, rules, perCat.get(c.catid) ?? 0),
        };
        yield { type: 'column', column };
      }
      for (const p of pages) {
        const c = cats.get(p.catid);
        yield {
          type: 'item',
          item: {
            sourceId: `page-${p.catid}`,
            kind: 'page',
            status: 'published',
            columnSourceIds: c ? [String(p.catid)] : [],
            title: p.title || c?.catname || '',
            bodyHtml: joinPhpcmsPages(p.content).html,
            keywords: keywords(p.keywords),
            publishedAt: unixToIso(p.updatetime),
            updatedAt: unixToIso(p.updatetime),
            oldUrls: c ? this.categoryUrls(c, rules, 0) : [],
          },
        };
      }

      // ---- pass 2: bodies and attachments
      const sourceIdOf = (raw: string, id: number | string): string => {
        const l = prefix.logical(raw) ?? raw;
        return l === 'news' ? String(id) : `${l}-${id}`;
      };
      /** attachment_index says `c-<catid>-<id>`: the category's model says which table the id is of. */
      const attachedTo = (aid: number): string | null => {
        const ref = attachItem.get(aid);
        if (!ref) return null;
        const [catid, id] = ref.split('-') as [string, string];
        const table = models.get(cats.get(Number(catid))?.modelid ?? 1) ?? 'news';
        return table === 'news' ? id : `${table}-${id}`;
      };
      const done = new Set<string>();
      for await (const ev of readDump(this.files, {
        encoding: this.options.encoding,
        wantTable: wanted(PASS2),
        fallbackColumns: fallback,
      })) {
        if (ev.kind === 'encoding') encoding = ev.encoding;
        if (ev.kind !== 'row') continue;
        const r = ev.row;
        const logical = prefix.logical(ev.table);
        if (logical === 'attachment') {
          const path = str(r.filepath);
          if (!path) continue;
          const url = /^https?:|^\//.test(path) ? path : `/uploadfile/${path}`;
          const aid = int(r.aid);
          yield {
            type: 'file',
            file: {
              sourceId: `attachment-${aid}`,
              url,
              name: textOf(r.filename, encoding, () => undefined) || null,
              mediaType: mimeFromName(path) ?? mimeFromName(`x.${str(r.fileext)}`),
              size: int(r.filesize) || null,
              itemSourceId: attachedTo(aid),
            },
          };
          continue;
        }
        const mainTable = ev.table.slice(0, -'_data'.length);
        if (!ev.table.endsWith('_data') || !(logical === 'news_data' || mainRaw.has(mainTable))) continue;
        const id = int(r.id);
        const key = `${mainTable}:${id}`;
        const meta = spill.get(key);
        if (!meta) {
          yield warn('ORPHAN_BODY', `${ev.table} ${id} has no row in ${mainTable}; skipped`, sourceIdOf(mainTable, id));
          continue;
        }
        if (done.has(key)) continue;
        done.add(key);
        let repaired = meta.repaired;
        const content = textOf(r.content, encoding, () => (repaired = true));
        const copyfrom = textOf(r.copyfrom, encoding, () => (repaired = true));
        if (logical !== 'news_data') {
          const own = ownFields(r, DATA_BASE, (v) => textOf(v, encoding, () => (repaired = true)));
          if (own) meta.fields = { ...meta.fields, ...own };
        }
        yield* this.item(meta, sourceIdOf(mainTable, id), content, copyfrom, cats, rules, repaired);
      }
      for (const key of spill.keys()) {
        const meta = spill.get(key);
        if (!meta || done.has(key) || !meta.raw.startsWith(prefix.prefix)) continue;
        const sourceId = sourceIdOf(meta.raw, meta.id);
        const what = prefix.logical(meta.raw) ?? meta.raw;
        const { reason } = statusOf(meta.status);
        if (reason) yield { type: 'skipped', sourceId, what, reason, title: meta.title };
        else if (meta.islink) yield* this.item(meta, sourceId, '', '', cats, rules, meta.repaired);
        else {
          yield warn('NO_BODY', `${what} ${meta.id} (${meta.title}) has no ${what}_data row`, sourceId);
          yield { type: 'skipped', sourceId, what, reason: 'EMPTY', title: meta.title };
        }
      }
    } finally {
      await spill.close();
    }
  }

  private categoryUrls(c: Category, rules: Map<number, string>, items: number): string[] {
    const urls = new Set<string>();
    if (c.url) {
      urls.add(c.url);
      const p = pathOf(c.url);
      if (p) urls.add(p);
    }
    urls.add(`/index.php?m=content&c=index&a=lists&catid=${c.catid}`);
    const pagesN = Math.min(500, Math.ceil(items / LIST_PAGE_SIZE));
    for (let p = 2; p <= pagesN; p++) urls.add(`/index.php?m=content&c=index&a=lists&catid=${c.catid}&page=${p}`);
    const ishtml = String(c.setting.ishtml ?? '0') === '1';
    const rule = rules.get(int(String(c.setting.category_ruleid ?? '')));
    if (ishtml && rule && c.type === 0) {
      const [first, nth] = rule.split('|');
      const vars = { categorydir: c.parentdir, catdir: c.catdir, catid: String(c.catid) };
      if (first) urls.add(`${HTML_ROOT}/${fillRule(first, { ...vars, page: '1' })}`.replace(/\/{2,}/g, '/'));
      if (nth)
        for (let p = 2; p <= pagesN; p++)
          urls.add(`${HTML_ROOT}/${fillRule(nth, { ...vars, page: String(p) })}`.replace(/\/{2,}/g, '/'));
    }
    return [...urls];
  }

  private *item(
    meta: NewsMeta,
    id: string,
    content: string,
    copyfrom: string,
    cats: Map<number, Category>,
    rules: Map<number, string>,
    repaired: boolean,
  ): Generator<ImportEvent> {
    const { reason } = statusOf(meta.status);
    if (reason) {
      yield { type: 'skipped', sourceId: id, what: 'news', reason, title: meta.title };
      return;
    }
    if (meta.islink) {
      yield warn('LINK_ITEM', `news ${id} (${meta.title}) is only a link to ${meta.url}; not imported`, id);
      yield { type: 'skipped', sourceId: id, what: 'news', reason: 'UNSUPPORTED_TYPE', title: meta.title };
      return;
    }
    if (repaired) yield mojibake(id);
    const c = cats.get(meta.catid);
    if (!c) yield warn('UNKNOWN_COLUMN', `news ${id} is in category ${meta.catid}, which is not in the dump`, id);
    const { html, pages } = joinPhpcmsPages(content);
    const urls = new Set<string>();
    if (meta.url) {
      urls.add(meta.url);
      const p = pathOf(meta.url);
      if (p) urls.add(p);
    }
    const dynamic = `/index.php?m=content&c=index&a=show&catid=${meta.catid}&id=${meta.id}`;
    // the stored url is what the site linked to; the rule is recomputed only when it is empty
    if (!meta.url && c) {
      const rule = rules.get(int(String(c.setting.show_ruleid ?? '')));
      const ishtml = String(c.setting.content_ishtml ?? '0') === '1';
      if (rule && ishtml) {
        const { y, m, d } = chinaDate(meta.inputtime);
        const first = rule.split('|')[0]!;
        urls.add(
          `${HTML_ROOT}/${fillRule(first, { categorydir: c.parentdir, catdir: c.catdir, year: y, month: m, day: d, id: String(meta.id), catid: String(meta.catid), page: '1' })}`.replace(
            /\/{2,}/g,
            '/',
          ),
        );
      }
    }
    const staticUrls = [...urls].filter((u) => /\.s?html?$/i.test(u));
    for (let n = 2; n <= pages; n++) {
      for (const u of staticUrls) urls.add(u.replace(/(\.s?html?)$/i, `_${n}$1`));
      urls.add(`${dynamic}&page=${n}`);
    }
    urls.add(dynamic);
    const source = copyfrom.replace(/\|\d*$/, '').trim();
    yield {
      type: 'item',
      item: {
        sourceId: id,
        kind: 'article',
        status: 'published',
        columnSourceIds: c ? [String(meta.catid)] : [],
        title: meta.title,
        summary: meta.description || null,
        bodyHtml: html,
        author: meta.username || null,
        source: source || null,
        keywords: keywords(meta.keywords),
        publishedAt: unixToIso(meta.inputtime),
        updatedAt: unixToIso(meta.updatetime),
        thumbnail: meta.thumb ? { url: meta.thumb, mediaType: mimeFromName(meta.thumb) } : null,
        oldUrls: [...urls],
        extra: { pages, listorder: meta.listorder, fields: meta.fields },
      },
    };
    if (!meta.inputtime) yield warn('BAD_DATE', `news ${id} has no inputtime`, id);
  }
}

function warn(code: string, message: string, sourceId?: string): ImportEvent {
  return { type: 'warning', warning: { code, message, sourceId: sourceId ?? null } };
}

function mojibake(sourceId: string): ImportEvent {
  return warn(
    'MOJIBAKE_REPAIRED',
    'GBK text stored as Latin-1 (mojibake such as "Õþ¸®") was repaired to Chinese; check the record',
    sourceId,
  );
}
