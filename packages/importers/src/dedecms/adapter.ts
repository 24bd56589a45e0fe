/**
 * DedeCMS 5.x (织梦) from a MySQL dump of any flavour (legacy-formats.md §3): `arctype` → columns,
 * `archives` + `addonarticle` → items, `uploads` → files.
 *
 * Two passes over the files, because a mysqldump is alphabetical (`addonarticle` < `archives` < `arctype`) and
 * columns must come before items: pass 1 reads `arctype`, `sysconfig`, `channeltype` and the `archives`
 * metadata rows (spilled to a temporary file keyed by id, so memory does not grow with the dump); pass 2 reads
 * the bodies (`addonarticle`) and `uploads`, joining each body to its metadata as it streams by. Bodies are
 * never held beyond the row being yielded.
 */
import { basename } from 'node:path';
import {
  type ImportEvent,
  type ImportSource,
  ImportSourceError,
  type LegacyColumn,
  type LegacyItem,
  type OpenOptions,
  type SkipReason,
  type SourceAdapter,
  type SourceInput,
} from '../record.ts';
import { type DumpEvent, readDump } from '../sql/read.ts';
import { PrefixResolver, filesOf, passThrough, sniffDump } from '../sql/kit.ts';
import { SpillStore } from '../sql/spill.ts';
import { type Row, int, keywords, mimeFromName, parentsFirst, str, textOf, unixToIso } from '../sql/values.ts';
import { dedeColumns } from './schema.ts';
import {
  DEFAULT_DEDE_CONFIG,
  type DedeColumnRule,
  type DedeConfig,
  articleUrls,
  columnUrls,
  joinDedePages,
  mfTypedir,
} from './urls.ts';

/** The metadata of one `archives` row kept for pass 2 (no body). */
interface ArchiveMeta {
  id: number;
  typeid: number;
  typeid2: string;
  channel: number;
  arcrank: number;
  ismake: number;
  money: number;
  flag: string;
  title: string;
  shorttitle: string;
  writer: string;
  source: string;
  litpic: string;
  pubdate: number;
  senddate: number;
  sortrank: number;
  click: number;
  keywords: string;
  description: string;
  filename: string;
  repaired: boolean;
}

interface DedeColumnRow extends DedeColumnRule {
  reid: number;
  sortrank: number;
  typename: string;
  description: string;
  keywords: string;
  content: string;
  channeltype: number;
  repaired: boolean;
}

/** Channel models (`dede_channeltype`): 1 article is read; the others are refused with a reason. */
const CHANNEL_NAMES: Record<number, string> = {
  1: '普通文章 article',
  2: '图片集 image set',
  3: '软件 software',
  4: '商品 shop',
  6: '商品 shop',
  [-1]: '专题 special topic',
  [-8]: '分类信息 classified info',
};

const PASS1 = new Set(['arctype', 'archives', 'sysconfig', 'channeltype']);
/** Addon tables of the built-in models that are not articles (image sets, software, shop, classifieds, topics). */
const NOT_ARTICLE_TABLES = new Set(['addonimages', 'addonsoft', 'addonshop', 'addoninfos', 'addonspec', 'addonflash']);
/** Columns every addon table has; the rest of a custom model's row is its own fields (文号, 发布机构…). */
const ADDON_BASE_COLUMNS = new Set(['aid', 'typeid', 'body', 'redirecturl', 'templet', 'userip']);

const KEY_TABLE = /^(.*?)(arctype|archives|addonarticle)$/;

export const dedecmsAdapter: SourceAdapter = {
  system: 'dedecms',
  sniff(input: SourceInput): number {
    return sniffDump(input, {
      strong: /(dede_|#@__)(archives|arctype|addonarticle)\b/,
      names: /(^|_)(archives|arctype|addonarticle)(_\d+)?(_[0-9a-f]{16})?\.(php|txt|sql)$/i,
      weak: /`\w+_(archives|arctype|addonarticle)`/,
      not: /v9_news|phpcms_news|# phpcms bakfile/,
    });
  },
  async open(input: SourceInput, options: OpenOptions): Promise<ImportSource> {
    const files = await filesOf(input.paths, 'dedecms');
    return new DedeSource(files, options);
  },
};

/** Dede `arcrank`: 0 public, -1 待审核, -2 recycle bin, >0 members-only (legacy-formats.md §3.1). */
function statusOf(arcrank: number): { status: LegacyItem['status']; reason: SkipReason | null } {
  if (arcrank === 0) return { status: 'published', reason: null };
  if (arcrank === -1) return { status: 'pending', reason: 'PENDING' };
  if (arcrank <= -2) return { status: 'trash', reason: 'TRASH' };
  return { status: 'private', reason: 'PRIVATE' };
}

class DedeSource implements ImportSource {
  readonly system = 'dedecms' as const;
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
    const fallback = (table: string) => {
      const l = prefix.logical(table);
      return l ? dedeColumns(l) : null;
    };
    const wanted = (set: Set<string>) => (table: string) => {
      const l = prefix.logical(table);
      return l !== null && set.has(l);
    };
    const spill = await SpillStore.create<ArchiveMeta>();
    try {
      // ---- pass 1: columns, configuration, article metadata
      const columns = new Map<number, DedeColumnRow>();
      const cfg: DedeConfig = { ...DEFAULT_DEDE_CONFIG };
      const channels = new Map<number, string>();
      const addTables = new Map<number, string>();
      const perColumn = new Map<number, number>();
      let titleLength = 60;
      let encoding = 'utf-8';
      let rows = 0;
      for await (const ev of this.dump(wanted(PASS1), fallback)) {
        const out = passThrough(ev, true);
        if (out) yield out;
        if (ev.kind === 'encoding') encoding = ev.encoding;
        if (ev.kind === 'create' && prefix.logical(ev.table) === 'archives') {
          const t = ev.columns.find((c) => c.name === 'title');
          if (t?.length) titleLength = t.length;
        }
        if (ev.kind !== 'row') continue;
        rows++;
        const r = ev.row;
        let repaired = false;
        const text = (v: Row[string] | undefined) => textOf(v, encoding, () => (repaired = true));
        switch (prefix.logical(ev.table)) {
          case 'sysconfig': {
            const name = str(r.varname);
            const value = text(r.value);
            if (name === 'cfg_cmspath') cfg.cmspath = value.replace(/\/+$/, '');
            else if (name === 'cfg_arcdir' && value) cfg.arcdir = value;
            else if (name === 'cfg_webname' && value) this.siteName = value;
            else if (name === 'cfg_basehost' && value) this.baseUrl = value.replace(/\/+$/, '');
            else if (name === 'cfg_special' && value) cfg.special = value;
            else if (name === 'cfg_plus_dir' && value) cfg.plusDir = value;
            break;
          }
          case 'channeltype': {
            channels.set(int(r.id), text(r.typename));
            const add = /(addon\w+)$/.exec(str(r.addtable))?.[1];
            if (add) addTables.set(int(r.id), add);
            break;
          }
          case 'arctype': {
            const id = int(r.id);
            columns.set(id, {
              id,
              reid: int(r.reid),
              sortrank: int(r.sortrank),
              typename: text(r.typename),
              typedir: str(r.typedir),
              isdefault: int(r.isdefault),
              defaultname: str(r.defaultname) || 'index.html',
              ispart: int(r.ispart),
              namerule: str(r.namerule),
              namerule2: str(r.namerule2),
              description: text(r.description),
              keywords: text(r.keywords),
              content: text(r.content),
              channeltype: int(r.channeltype),
              repaired,
            });
            break;
          }
          case 'archives': {
            const meta: ArchiveMeta = {
              id: int(r.id),
              typeid: int(r.typeid),
              typeid2: str(r.typeid2),
              channel: r.channel === undefined ? 1 : int(r.channel),
              arcrank: int(r.arcrank),
              ismake: int(r.ismake),
              money: int(r.money),
              flag: str(r.flag),
              title: text(r.title),
              shorttitle: text(r.shorttitle),
              writer: text(r.writer),
              source: text(r.source),
              litpic: str(r.litpic),
              pubdate: int(r.pubdate),
              senddate: int(r.senddate),
              sortrank: int(r.sortrank),
              click: int(r.click),
              keywords: text(r.keywords),
              description: text(r.description),
              filename: str(r.filename),
              repaired: false,
            };
            meta.repaired = repaired;
            spill.put(String(meta.id), meta);
            if (meta.arcrank === 0) perColumn.set(meta.typeid, (perColumn.get(meta.typeid) ?? 0) + 1);
            break;
          }
          default:
            break;
        }
      }
      if (prefix.prefix === null)
        throw new ImportSourceError(
          'IMPORT_SOURCE_UNREADABLE',
          `no DedeCMS table (archives, arctype, addonarticle) in ${this.files.map((f) => basename(f)).join(', ')} (${rows} rows of other tables): not a DedeCMS dump`,
        );
      for (const other of prefix.otherPrefixes())
        yield {
          type: 'warning',
          warning: {
            code: 'OTHER_TABLE_PREFIX',
            message: `the dump also holds DedeCMS tables with prefix "${other}"; only "${prefix.prefix}" is read (import the other site separately)`,
          },
        };

      // ---- columns, parents first
      const cols = parentsFirst(
        [...columns.values()],
        (c) => String(c.id),
        (c) => (c.reid ? String(c.reid) : null),
      );
      for (const c of cols) {
        const typedir = mfTypedir(c.typedir, cfg);
        const column: LegacyColumn = {
          sourceId: String(c.id),
          parentSourceId: c.reid && columns.has(c.reid) ? String(c.reid) : null,
          name: c.typename,
          slug: c.ispart === 2 ? null : (typedir.split('/').filter(Boolean).pop() ?? null),
          description: c.description || null,
          keywords: c.keywords || null,
          kind: c.ispart === 1 ? 'page' : c.ispart === 2 ? 'link' : 'list',
          position: c.sortrank,
          oldUrls: columnUrls(c, cfg, Math.min(500, Math.ceil((perColumn.get(c.id) ?? 0) / 10))),
        };
        if (c.repaired) yield mojibake(`arctype-${c.id}`);
        if (c.reid && !columns.has(c.reid))
          yield warn(
            'UNKNOWN_COLUMN',
            `column ${c.id} (${c.typename}) has parent ${c.reid}, which is not in the dump`,
            `arctype-${c.id}`,
          );
        yield { type: 'column', column };
      }
      // single pages (ispart=1) carry their HTML in arctype.content: an item of kind page in that column
      for (const c of cols) {
        if (c.ispart !== 1 || !c.content.trim()) continue;
        const dir = mfTypedir(c.typedir, cfg).replace(/\/+$/, '');
        yield {
          type: 'item',
          item: {
            sourceId: `arctype-${c.id}`,
            kind: 'page',
            status: 'published',
            columnSourceIds: [String(c.id)],
            title: c.typename,
            bodyHtml: c.content,
            summary: c.description || null,
            keywords: keywords(c.keywords),
            publishedAt: null,
            oldUrls: dir.startsWith('/') ? [`${dir}/${c.defaultname}`] : [],
            extra: { arctype: c.id },
          },
        };
      }

      // ---- pass 2: bodies and uploads. Article channels: 1 (addonarticle) and custom models built on it (a
      // channeltype whose addtable is a custom addon<N> table, e.g. a 政府信息公开 model with 文号 fields)
      const articleTables = new Set(['addonarticle']);
      const articleChannels = new Set([1]);
      for (const [id, table] of addTables)
        if (id !== 1 && !NOT_ARTICLE_TABLES.has(table) && id > 0) {
          articleTables.add(table);
          articleChannels.add(id);
        }
      const noBodyColumn = new Set<string>();
      const done = new Set<number>();
      for await (const ev of this.dump(wanted(new Set(['uploads', ...articleTables])), fallback)) {
        if (ev.kind === 'encoding') encoding = ev.encoding;
        if (ev.kind !== 'row') continue;
        const r = ev.row;
        const logical = prefix.logical(ev.table);
        if (logical === 'uploads') {
          const url = str(r.url);
          if (!url) continue;
          yield {
            type: 'file',
            file: {
              sourceId: `upload-${int(r.aid)}`,
              url,
              name: textOf(r.title, encoding, () => undefined) || null,
              mediaType: mimeFromName(url),
              size: int(r.filesize) || null,
              itemSourceId: int(r.arcid) > 0 ? String(int(r.arcid)) : null,
            },
          };
          continue;
        }
        if (logical === null || !articleTables.has(logical)) continue;
        if (r.body === undefined) {
          if (!noBodyColumn.has(logical)) {
            noBodyColumn.add(logical);
            yield warn(
              'NO_BODY_COLUMN',
              `the custom model table ${ev.table} has no body column; its archives are not imported`,
            );
          }
          continue;
        }
        const aid = int(r.aid);
        const meta = spill.get(String(aid));
        if (!meta) {
          yield warn('ORPHAN_BODY', `addonarticle ${aid} has no archives row; skipped`, String(aid));
          continue;
        }
        if (done.has(aid)) continue;
        done.add(aid);
        let repaired = meta.repaired;
        const body = textOf(r.body, encoding, () => (repaired = true));
        let fields: Record<string, string> | undefined;
        if (logical !== 'addonarticle') {
          fields = {};
          for (const [k, v] of Object.entries(r))
            if (!ADDON_BASE_COLUMNS.has(k) && v !== null && v !== '')
              fields[k] = textOf(v, encoding, () => (repaired = true)).slice(0, 500);
        }
        yield* this.item(meta, body, str(r.redirecturl), columns, cfg, titleLength, repaired, fields);
      }

      // ---- archives without a body: other channel models, or articles whose addon row is missing
      const refused = new Map<number, number>();
      for (const key of spill.keys()) {
        const meta = spill.get(key);
        if (!meta || done.has(meta.id)) continue;
        const { reason } = statusOf(meta.arcrank);
        if (!articleChannels.has(meta.channel)) {
          refused.set(meta.channel, (refused.get(meta.channel) ?? 0) + 1);
          yield { type: 'skipped', sourceId: key, what: 'archive', reason: 'UNSUPPORTED_TYPE', title: meta.title };
        } else if (reason) {
          yield { type: 'skipped', sourceId: key, what: 'article', reason, title: meta.title };
        } else {
          yield warn('NO_BODY', `article ${key} (${meta.title}) has no addonarticle row`, key);
          yield { type: 'skipped', sourceId: key, what: 'article', reason: 'EMPTY', title: meta.title };
        }
      }
      for (const [channel, count] of refused)
        yield warn(
          'UNSUPPORTED_CHANNEL',
          `${count} archive(s) of channel ${channel} (${channels.get(channel) ?? CHANNEL_NAMES[channel] ?? 'custom model'}) are not articles and were not imported (their addon table, e.g. addonsoft/addonimages, is not read)`,
        );
    } finally {
      await spill.close();
    }
  }

  private dump(
    wantTable: (t: string) => boolean,
    fallbackColumns: (t: string) => string[] | null,
  ): AsyncGenerator<DumpEvent> {
    return readDump(this.files, { encoding: this.options.encoding, wantTable, fallbackColumns });
  }

  private item(
    meta: ArchiveMeta,
    rawBody: string,
    redirecturl: string,
    columns: Map<number, DedeColumnRow>,
    cfg: DedeConfig,
    titleLength: number,
    repaired: boolean,
    fields?: Record<string, string>,
  ): ImportEvent[] {
    const id = String(meta.id);
    const { status, reason } = statusOf(meta.arcrank);
    if (reason) return [{ type: 'skipped', sourceId: id, what: 'article', reason, title: meta.title }];
    const out: ImportEvent[] = [];
    if (repaired) out.push(mojibake(id));
    const col = columns.get(meta.typeid);
    if (!col)
      out.push(warn('UNKNOWN_COLUMN', `article ${id} is in column ${meta.typeid}, which is not in the dump`, id));
    const { html, pages } = joinDedePages(rawBody);
    let title = meta.title;
    if ([...meta.title].length >= titleLength) {
      // char(60) cut the title; a 公文 body usually opens with the full title, centred: take it from there
      const full = fullTitleFromBody(meta.title, html);
      if (full) {
        title = full;
        out.push(
          warn(
            'TITLE_RESTORED',
            `the title of article ${id} was cut by char(${titleLength}); the full title was taken from the body: "${full}"`,
            id,
          ),
        );
      } else
        out.push(
          warn(
            'TITLE_TRUNCATED',
            `the title of article ${id} fills DedeCMS's char(${titleLength}) title column and is probably cut: "${meta.title}"`,
            id,
          ),
        );
    }
    const urls = articleUrls(meta, col, cfg, pages);
    if (urls.unsupported.length)
      out.push(
        warn(
          'URL_RULE_UNSUPPORTED',
          `column ${meta.typeid}'s naming rule uses ${urls.unsupported.join(', ')}; only the dynamic URLs of article ${id} are recorded`,
          id,
        ),
      );
    const columnIds = [meta.typeid, ...meta.typeid2.split(',').map((x) => Number.parseInt(x, 10))]
      .filter((t) => Number.isFinite(t) && t > 0 && columns.has(t))
      .map(String);
    const isLink = meta.flag.split(',').includes('j') && redirecturl;
    out.push({
      type: 'item',
      item: {
        sourceId: id,
        kind: 'article',
        status,
        columnSourceIds: [...new Set(columnIds)],
        title,
        summary: meta.description || null,
        bodyHtml: html,
        author: meta.writer || null,
        source: meta.source || null,
        keywords: keywords(meta.keywords),
        publishedAt: unixToIso(meta.pubdate) ?? unixToIso(meta.senddate),
        thumbnail: meta.litpic ? { url: meta.litpic, mediaType: mimeFromName(meta.litpic) } : null,
        // The page name of its static address (a custom `filename`, or what the column's naming rule made): the
        // new address keeps it. Dynamic-only articles have none (their id is used).
        slug: urls.primary.includes('?') ? null : (/([^/]+)\.html?$/i.exec(urls.primary)?.[1] ?? null),
        oldUrls: urls.all,
        extra: {
          senddate: unixToIso(meta.senddate),
          shorttitle: meta.shorttitle || undefined,
          flag: meta.flag || undefined,
          click: meta.click,
          pages,
          redirectUrl: isLink ? redirecturl : undefined,
          primaryUrl: urls.primary,
          channel: meta.channel === 1 ? undefined : meta.channel,
          fields,
        },
      },
    });
    if (!meta.pubdate && !meta.senddate) out.push(warn('BAD_DATE', `article ${id} has no pubdate nor senddate`, id));
    return out;
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

/** The body's first text line that extends the cut title (at most 200 characters), if any. */
export function fullTitleFromBody(cut: string, html: string): string | null {
  const lines = html
    .slice(0, 8000)
    .replace(/<br\s*\/?>|<\/(p|div|h\d|td|li)>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&nbsp;/g, ' ')
    .split(/\n/)
    .map((l) => l.replace(/\s+/g, ' ').trim());
  const found = lines.find((l) => l.length > cut.length && l.startsWith(cut.trim()) && l.length <= 200);
  return found ?? null;
}
