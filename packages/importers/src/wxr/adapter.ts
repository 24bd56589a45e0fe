/**
 * The WordPress WXR adapter (issue 11; legacy-formats.md §2). Reads WXR 1.0–1.2 — one file or several files of
 * one export — streaming, and yields the intermediate records of ../record.ts.
 * // 2015 §9: 已建成的政府网站要在 2018 年 12 月 31 日前迁移到统一的技术平台 — with their original dates and URLs.
 *
 * `read()` makes two streaming passes over the files and never holds a file:
 *  1. a light pass (no bodies) for what must be known before the first item: the category tree (columns come
 *     before items), attachment id → URL (for `_thumbnail_id`, which may point forward), whether there are pages;
 *  2. the full pass, item by item.
 * The first pass is cached, so a second `read()` (plan, then commit) only re-runs the second.
 *
 * Decisions (ADR 0016):
 * - Categories → columns with sourceId `cat:<nicename>`; the parent is the parent's nicename. Nicenames stay as
 *   the file has them (percent-encoded UTF-8 for Greek or Chinese slugs) in `slug`; names are decoded.
 * - Pages → `page` items in one synthesised column `pages` (页面); the page tree is kept in
 *   `extra.parentSourceId` / `extra.menuOrder` rather than turned into columns (a page is content, not a list).
 * - Comments are not imported (a government site's comment threads are not official content): each item carries
 *   `extra.comments = { total, approved }` so the plan can show what was left behind.
 * - Only published content is imported: draft/auto-draft, pending, private, trash, future, and
 *   password-protected posts are `skipped` with a reason. Menus (`nav_menu_item`, `wp_navigation`) → NAV_MENU,
 *   revisions → REVISION, any other post type → UNSUPPORTED_TYPE.
 * - `dc:creator` is the author's login; the author is the display name of that login (`wp:author`) when given.
 * - Items without `wp:post_id` get `g<sha1(guid)>` (or of the link, or title + date): stable across runs.
 */
import { createHash } from 'node:crypto';
import { open as openFile, readdir, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import type {
  ImportEvent,
  ImportSource,
  LegacyColumn,
  LegacyFile,
  LegacyFileRef,
  LegacyGovMeta,
  LegacyItem,
  OpenOptions,
  SkipReason,
  SourceAdapter,
  SourceInput,
} from '../record.ts';
import { ImportSourceError } from '../record.ts';
import { decodeLegacyUrl, detectEncoding, type EncodingHow, normaliseEncodingName } from '../text/encoding.ts';
import { wordpressBody } from './body.ts';
import { wordpressDate } from './dates.ts';
import { decodePhpValue } from './php.ts';
import { readWxrFile, type WxrCategory, type WxrChannel, type WxrItem } from './reader.ts';

export interface WxrOpenOptions extends OpenOptions {
  /**
   * The legacy site's UTC offset, used for `wp:post_date` when `wp:post_date_gmt` is missing or zero. A Chinese
   * government site is `+08:00` (the default).
   */
  timeZoneOffset?: string;
}

/** A WordPress attachment: a LegacyFile plus the URLs of its attachment page (for the redirect map). */
export interface WxrFile extends LegacyFile {
  oldUrls: string[];
}

export const PAGES_COLUMN = 'pages';

const WXR_MARK = 'wordpress.org/export/';

interface FileInfo {
  path: string;
  encoding: string;
  how: EncodingHow;
}

interface Index {
  categories: Map<string, WxrCategory>;
  /** `category` terms used by items but absent from the channel header (split exports, hand-made files). */
  usedCategories: Map<string, string>;
  /** Names of domain-less `<category>`s of items that have no other category (theme-preview.xml, WXR 1.0). */
  plainCategories: Set<string>;
  attachments: Map<string, { url: string; name: string }>;
  attachmentsByParent: Map<string, string[]>;
  termIdToNicename: Map<string, string>;
  /** `wp:author_login` → display name: `dc:creator` holds the login, the site showed the display name. */
  authors: Map<string, string>;
  hasPages: boolean;
}

const MIME: Record<string, string> = {
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.bmp': 'image/bmp',
  '.svg': 'image/svg+xml',
  '.pdf': 'application/pdf',
  '.doc': 'application/msword',
  '.docx': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  '.xls': 'application/vnd.ms-excel',
  '.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  '.ppt': 'application/vnd.ms-powerpoint',
  '.pptx': 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  '.txt': 'text/plain',
  '.zip': 'application/zip',
  '.rar': 'application/vnd.rar',
  '.mp3': 'audio/mpeg',
  '.mp4': 'video/mp4',
  '.wps': 'application/vnd.ms-works',
  '.ofd': 'application/ofd',
};

function mimeOf(url: string): string | null {
  const path = url.split(/[?#]/)[0] ?? '';
  return MIME[extname(path).toLowerCase()] ?? null;
}

function fileNameOf(url: string): string {
  const path = url.split(/[?#]/)[0] ?? '';
  return decodeLegacyUrl(path.slice(path.lastIndexOf('/') + 1));
}

/**
 * A copy of a string that does not share memory with the parser's chunk. V8 keeps a substring (a "sliced string")
 * pointing into its parent, so an attachment URL cut out of a 256 KiB chunk would keep the whole chunk alive for
 * as long as the index lives — for a big export, the whole file. Everything kept across items goes through this.
 */
const own = (s: string): string => (s.length < 13 ? s : Buffer.from(s, 'utf8').toString('utf8'));

const isUrl = (s: string | null | undefined): boolean => !!s && /^https?:\/\//i.test(s);
const urlsOnly = (list: (string | null | undefined)[]): string[] => list.filter((u): u is string => isUrl(u));

function itemId(raw: WxrItem): string {
  if (raw.postId && /^\d+$/.test(raw.postId)) return raw.postId;
  const basis = raw.guid || raw.link || `${raw.title}\u0000${raw.postDate ?? raw.pubDate ?? ''}`;
  return `g${createHash('sha1').update(basis).digest('hex').slice(0, 16)}`;
}

function statusSkip(status: string): SkipReason | null {
  switch (status) {
    case 'publish':
      return null;
    case 'future':
      return 'SCHEDULED';
    case 'draft':
    case 'auto-draft':
      return 'DRAFT';
    case 'pending':
      return 'PENDING';
    case 'private':
      return 'PRIVATE';
    case 'trash':
      return 'TRASH';
    default:
      return 'UNSUPPORTED_TYPE';
  }
}

/** Custom fields Chinese WordPress sites commonly used for document metadata. */
const GOV_FIELDS: Record<string, keyof LegacyGovMeta> = {
  索引号: 'indexNumber',
  文号: 'docNumber',
  发文字号: 'docNumber',
  发布机构: 'issuingBody',
  发文机关: 'issuingBody',
  成文日期: 'writtenAt',
  发布日期: 'issuedAt',
  主题分类: 'topic',
};
const SOURCE_FIELDS = new Set(['来源', '信息来源', 'source', 'copyfrom']);

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

export function createWxrAdapter(defaults: { timeZoneOffset?: string } = {}): SourceAdapter {
  return {
    system: 'wordpress',

    sniff(input: SourceInput): number {
      if (input.isDirectory || !input.head) return 0;
      const head = new TextDecoder('latin1').decode(input.head.subarray(0, 64 * 1024));
      if (!head.includes(WXR_MARK)) return 0;
      const xml = input.paths.every((p) => /\.xml$/i.test(p));
      return xml ? 0.95 : 0.6;
    },

    async open(input: SourceInput, options: WxrOpenOptions): Promise<ImportSource> {
      const offset = options.timeZoneOffset ?? defaults.timeZoneOffset ?? '+08:00';
      wordpressDate(null, '2000-01-01 00:00:00', offset); // validates the offset early
      const paths: string[] = [];
      for (const p of input.paths) {
        let st: Awaited<ReturnType<typeof stat>>;
        try {
          st = await stat(p);
        } catch {
          throw new ImportSourceError('SOURCE_UNREADABLE', `cannot read ${p}`);
        }
        if (st.isDirectory()) {
          const names = (await readdir(p)).filter((n) => /\.xml$/i.test(n)).sort();
          paths.push(...names.map((n) => join(p, n)));
        } else paths.push(p);
      }
      if (!paths.length) throw new ImportSourceError('SOURCE_EMPTY', 'no WXR file given');

      const forced = options.encoding ? normaliseEncodingName(options.encoding) : null;
      const files: FileInfo[] = [];
      let channel: WxrChannel | null = null;
      for (const path of paths) {
        const handle = await openFile(path, 'r');
        const sample = Buffer.alloc(256 * 1024);
        const { bytesRead } = await handle.read(sample, 0, sample.length, 0);
        await handle.close();
        const head = sample.subarray(0, bytesRead);
        const detected = forced ? { encoding: forced, how: 'declared' as const } : detectEncoding(head, 'xml');
        files.push({ path, encoding: detected.encoding, how: detected.how });
        let header: WxrChannel | null = null;
        try {
          for await (const r of readWxrFile(path, detected.encoding, { headerOnly: true, light: true })) {
            if (r.t === 'channel') {
              header = r.channel;
              break;
            }
          }
        } catch (err) {
          throw new ImportSourceError('SOURCE_UNREADABLE', `${basename(path)}: ${(err as Error).message}`);
        }
        if (!header?.wordpress)
          throw new ImportSourceError(
            'WXR_NOT_WORDPRESS',
            `${basename(path)} is not a WordPress export (no wordpress.org/export/ namespace)`,
          );
        channel ??= header;
      }
      const base = trimSlash(
        channel?.baseBlogUrl || channel?.baseSiteUrl || channel?.link || options.baseUrls?.[0] || '',
      );
      let cached: Index | null = null;

      const buildIndex = async (): Promise<Index> => {
        const index: Index = {
          categories: new Map(),
          usedCategories: new Map(),
          plainCategories: new Set(),
          attachments: new Map(),
          attachmentsByParent: new Map(),
          termIdToNicename: new Map(),
          authors: new Map(),
          hasPages: false,
        };
        const seen = new Set<string>();
        for (const f of files) {
          for await (const r of readWxrFile(f.path, f.encoding, { light: true })) {
            if (r.t === 'category') {
              const c = r.category;
              const kept: WxrCategory = {
                termId: c.termId && own(c.termId),
                nicename: own(c.nicename),
                parent: c.parent && own(c.parent),
                name: c.name && own(c.name),
                description: c.description && own(c.description),
              };
              if (!index.categories.has(kept.nicename)) index.categories.set(kept.nicename, kept);
              if (kept.termId) index.termIdToNicename.set(kept.termId, kept.nicename);
            } else if (r.t === 'author') {
              if (r.displayName && !index.authors.has(r.login)) index.authors.set(own(r.login), own(r.displayName));
            } else if (r.t === 'item') {
              const it = r.item;
              const id = own(itemId(it));
              if (seen.has(id)) continue;
              seen.add(id);
              const type = (it.postType || 'post').toLowerCase();
              if (type === 'attachment') {
                const url = attachmentUrl(it);
                if (url) {
                  index.attachments.set(id, { url: own(url), name: own(it.title || fileNameOf(url)) });
                  if (it.postParent && it.postParent !== '0') {
                    const parent = own(it.postParent);
                    const list = index.attachmentsByParent.get(parent) ?? [];
                    list.push(id);
                    index.attachmentsByParent.set(parent, list);
                  }
                }
              } else if (type === 'page' && (it.status || 'publish') === 'publish') index.hasPages = true;
              else if (type === 'post') {
                const real = it.categories.filter((c) => c.domain === 'category');
                for (const c of real) {
                  const nicename = c.nicename || encodeURIComponent(c.name);
                  if (!index.usedCategories.has(nicename)) index.usedCategories.set(own(nicename), own(c.name));
                }
                if (!real.length && !it.categories.some((c) => c.domain))
                  for (const c of it.categories)
                    if (c.name && !index.plainCategories.has(c.name)) index.plainCategories.add(own(c.name));
              }
            }
          }
        }
        return index;
      };

      const attachmentUrl = (it: WxrItem): string | null => {
        if (it.attachmentUrl && isUrl(it.attachmentUrl)) return it.attachmentUrl;
        const attached = it.meta.find((m) => m.key === '_wp_attached_file')?.value.trim();
        if (attached) return isUrl(attached) ? attached : `${base}/wp-content/uploads/${attached.replace(/^\/+/, '')}`;
        if (it.guid && isUrl(it.guid) && mimeOf(it.guid)) return it.guid;
        return it.attachmentUrl || null;
      };

      function* columnEvents(index: Index): Generator<ImportEvent> {
        const emitted = new Set<string>();
        const paths = new Map<string, string>();
        const visit = function* (nicename: string, trail: Set<string>): Generator<ImportEvent> {
          if (emitted.has(nicename)) return;
          const cat = index.categories.get(nicename)!;
          let parent = cat.parent && cat.parent !== nicename ? cat.parent : null;
          if (parent && (!index.categories.has(parent) || trail.has(parent))) {
            yield {
              type: 'warning',
              warning: {
                code: 'UNKNOWN_COLUMN',
                message: `category ${nicename}: parent ${parent} is not in the export (or forms a cycle); placed at the top`,
                sourceId: `cat:${nicename}`,
              },
            };
            parent = null;
          }
          if (parent) {
            trail.add(nicename);
            yield* visit(parent, trail);
          }
          emitted.add(nicename);
          const path = parent ? `${paths.get(parent)}/${nicename}` : nicename;
          paths.set(nicename, path);
          const oldUrls = [`${base}/category/${path}/`];
          if (cat.termId) oldUrls.push(`${base}/?cat=${cat.termId}`);
          const column: LegacyColumn = {
            sourceId: `cat:${nicename}`,
            parentSourceId: parent ? `cat:${parent}` : null,
            name: cat.name || decodeLegacyUrl(nicename),
            slug: nicename,
            description: cat.description,
            kind: 'list',
            oldUrls,
          };
          yield { type: 'column', column };
        };
        for (const nicename of index.categories.keys()) yield* visit(nicename, new Set());
        for (const [nicename, name] of index.usedCategories) {
          if (emitted.has(nicename)) continue;
          emitted.add(nicename);
          yield {
            type: 'column',
            column: {
              sourceId: `cat:${nicename}`,
              parentSourceId: null,
              name: name || decodeLegacyUrl(nicename),
              slug: nicename,
              kind: 'list',
              oldUrls: [`${base}/category/${nicename}/`],
            },
          };
        }
        for (const name of index.plainCategories) {
          yield {
            type: 'column',
            column: { sourceId: `catname:${name}`, parentSourceId: null, name, slug: null, kind: 'list', oldUrls: [] },
          };
        }
        if (index.hasPages)
          yield {
            type: 'column',
            column: {
              sourceId: PAGES_COLUMN,
              parentSourceId: null,
              name: '页面',
              slug: 'pages',
              kind: 'list',
              oldUrls: [],
            },
          };
      }

      const mapItem = (it: WxrItem, index: Index, seen: Set<string>, where: string): ImportEvent[] => {
        const id = itemId(it);
        if (seen.has(id)) return []; // the same post in several files of one export
        seen.add(own(id));
        const events: ImportEvent[] = [];
        const warn = (code: string, message: string) =>
          events.push({ type: 'warning', warning: { code, message, sourceId: id } });
        if (it.recovered)
          warn('MALFORMED_XML', `${where}: item ${it.index} was recovered by the lenient XML parser; check it`);
        const type = (it.postType || 'post').toLowerCase();
        const title = it.title.trim();
        const realId = it.postId && /^\d+$/.test(it.postId);

        if (type === 'attachment') {
          const url = attachmentUrl(it);
          if (!url) {
            warn('FILE_WITHOUT_URL', `attachment ${id} has no attachment_url`);
            return events;
          }
          const oldUrls = urlsOnly([
            it.link,
            it.guid !== url ? it.guid : null,
            realId ? `${base}/?attachment_id=${id}` : null,
          ]).filter((u, i, all) => u !== url && all.indexOf(u) === i);
          let size: number | null = null;
          const metaRaw = it.meta.find((m) => m.key === '_wp_attachment_metadata');
          if (metaRaw) {
            const decoded = decodePhpValue(metaRaw.value);
            if (decoded.kind === 'decoded' && decoded.value && typeof decoded.value === 'object') {
              const fs = (decoded.value as Record<string, unknown>).filesize;
              if (typeof fs === 'number' && Number.isFinite(fs)) size = fs;
            } else if (decoded.kind === 'refused')
              warn('PHP_SERIALIZED_REFUSED', `_wp_attachment_metadata not decoded: ${decoded.reason}`);
          }
          const file: WxrFile = {
            sourceId: id,
            url,
            name: fileNameOf(url) || title || null,
            mediaType: mimeOf(url),
            size,
            itemSourceId: it.postParent && it.postParent !== '0' ? it.postParent : null,
            oldUrls,
          };
          events.push({ type: 'file', file });
          return events;
        }
        const skip = (reason: SkipReason, what = type) => {
          events.push({ type: 'skipped', sourceId: id, what, reason, title: title || null });
          return events;
        };
        if (type === 'nav_menu_item' || type === 'wp_navigation') return skip('NAV_MENU');
        if (type === 'revision') return skip('REVISION');
        if (type !== 'post' && type !== 'page') return skip('UNSUPPORTED_TYPE');
        const status = (it.status || 'publish').toLowerCase();
        const reason = statusSkip(status);
        if (reason) return skip(reason, reason === 'UNSUPPORTED_TYPE' ? `${type} (status ${status})` : type);
        if (it.postPassword) return skip('PRIVATE', `${type} (password-protected)`);

        const body = wordpressBody(it.content);
        if (body.removedShortcodes.length)
          warn(
            'SHORTCODE_REMOVED',
            `shortcodes that need WordPress were removed: ${body.removedShortcodes.join(', ')}`,
          );
        const date = wordpressDate(it.postDateGmt, it.postDate, offset, it.pubDate);
        if (!date) warn('BAD_DATE', `no usable date (post_date ${it.postDate ?? '—'}, gmt ${it.postDateGmt ?? '—'})`);
        const updated = wordpressDate(it.postModifiedGmt, it.postModified, offset);
        if (!title) warn('EMPTY_TITLE', `${type} ${id} has no title`);

        // Columns: real categories (the Yoast primary category first when the site had it), else plain ones.
        let columns: string[];
        if (type === 'page') columns = [PAGES_COLUMN];
        else {
          const real = it.categories
            .filter((c) => c.domain === 'category')
            .map((c) => `cat:${c.nicename || encodeURIComponent(c.name)}`);
          columns = real.length
            ? real
            : it.categories.some((c) => c.domain)
              ? []
              : it.categories.filter((c) => c.name).map((c) => `catname:${c.name}`);
          const primaryTerm = it.meta.find((m) => m.key === '_yoast_wpseo_primary_category')?.value.trim();
          const primary = primaryTerm ? index.termIdToNicename.get(primaryTerm) : undefined;
          if (primary && columns.includes(`cat:${primary}`))
            columns = [`cat:${primary}`, ...columns.filter((c) => c !== `cat:${primary}`)];
          columns = [...new Set(columns)];
          // A post without a category is shown by WordPress under its default category (term 1, Uncategorized,
          // unless the site changed `default_category`, which the export does not carry).
          if (!columns.length && !it.categories.some((c) => c.domain === 'category')) {
            const fallback =
              index.termIdToNicename.get('1') ?? (index.categories.has('uncategorized') ? 'uncategorized' : null);
            if (fallback) {
              columns = [`cat:${fallback}`];
              warn('DEFAULT_CATEGORY', `${type} ${id} has no category: put in ${fallback}, as WordPress showed it`);
            }
          }
        }
        const tags = [...new Set(it.categories.filter((c) => c.domain === 'post_tag' && c.name).map((c) => c.name))];

        // Postmeta.
        let thumbnail: LegacyFileRef | null = null;
        const govMeta: LegacyGovMeta = {};
        let source: string | null = null;
        const custom: Record<string, unknown> = {};
        for (const m of it.meta) {
          if (m.key === '_thumbnail_id') {
            const att = index.attachments.get(m.value.trim());
            if (att) thumbnail = { url: att.url, name: att.name };
            else warn('THUMBNAIL_MISSING', `_thumbnail_id ${m.value.trim()} is not an attachment of this export`);
            continue;
          }
          if (m.key.startsWith('_')) continue; // WordPress and plugin internals
          const decoded = decodePhpValue(m.value);
          if (decoded.kind === 'refused') {
            warn('PHP_SERIALIZED_REFUSED', `postmeta ${m.key} not decoded: ${decoded.reason}`);
            continue;
          }
          const gov = GOV_FIELDS[m.key];
          if (gov && decoded.kind === 'plain' && decoded.value.trim()) govMeta[gov] = decoded.value.trim();
          else if (SOURCE_FIELDS.has(m.key.toLowerCase()) && decoded.kind === 'plain') source = decoded.value.trim();
          else if (Object.keys(custom).length < 20) {
            const v = decoded.value;
            if (typeof v !== 'string' || v.length <= 2000) custom[m.key] = v;
          }
        }

        const oldUrls = urlsOnly([
          it.link,
          it.guid,
          realId && base ? `${base}/?${type === 'page' ? 'page_id' : 'p'}=${id}` : null,
        ]).filter((u, i, all) => all.indexOf(u) === i);

        const attachments = (index.attachmentsByParent.get(id) ?? [])
          .map((a) => index.attachments.get(a))
          .filter((a): a is { url: string; name: string } => !!a)
          .map((a) => ({ url: a.url, name: a.name, mediaType: mimeOf(a.url) }));

        const extra: Record<string, unknown> = { postType: type };
        if (it.comments) extra.comments = { total: it.comments, approved: it.approvedComments };
        if (it.isSticky === '1') extra.sticky = true;
        if (type === 'page') {
          if (it.postParent && it.postParent !== '0') extra.parentSourceId = it.postParent;
          if (it.menuOrder && it.menuOrder !== '0') extra.menuOrder = Number(it.menuOrder);
        }
        if (date && date.from !== 'gmt') extra.dateFrom = date.from;
        if (Object.keys(custom).length) extra.meta = custom;

        const item: LegacyItem = {
          sourceId: id,
          kind: type === 'page' ? 'page' : govMeta.docNumber ? 'document' : 'article',
          status: 'published',
          columnSourceIds: columns,
          title,
          summary: it.excerpt.trim() || null,
          bodyHtml: body.html,
          author: (it.creator && index.authors.get(it.creator)) || it.creator || null,
          source,
          tags,
          publishedAt: date?.iso ?? null,
          updatedAt: updated?.iso ?? null,
          slug: it.postName || null,
          thumbnail,
          attachments,
          govMeta: Object.keys(govMeta).length ? govMeta : null,
          oldUrls,
          extra,
        };
        if (it.recovered) item.flaggedForReview = true;
        events.push({ type: 'item', item });
        return events;
      };

      return {
        system: 'wordpress',
        siteName: channel?.title ?? null,
        baseUrl: base || null,
        async *read(): AsyncIterable<ImportEvent> {
          for (const f of files) yield { type: 'encoding', encoding: f.encoding, where: basename(f.path), how: f.how };
          cached ??= await buildIndex();
          const index = cached;
          yield* columnEvents(index);
          const seen = new Set<string>();
          for (const f of files) {
            const where = basename(f.path);
            for await (const r of readWxrFile(f.path, f.encoding)) {
              if (r.t === 'malformed')
                yield {
                  type: 'warning',
                  warning: {
                    code: 'MALFORMED_XML',
                    message: `${where} is not well-formed XML (line ${r.line ?? '?'}: ${r.message}); items after item ${r.afterItems} were read leniently and are flagged for review`,
                  },
                };
              else if (r.t === 'stripped')
                yield {
                  type: 'warning',
                  warning: {
                    code: 'CONTROL_CHARS_REMOVED',
                    message: `${where}: ${r.count} characters XML does not allow (control characters pasted from Word) were removed`,
                  },
                };
              else if (r.t === 'item') yield* mapItem(r.item, index, seen, where);
            }
          }
        },
      };
    },
  };
}

export const wxrAdapter: SourceAdapter = createWxrAdapter();
