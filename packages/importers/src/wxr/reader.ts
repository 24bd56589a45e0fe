/**
 * WXR structure over the XML event stream: the channel header, `wp:category` / `wp:tag` terms and `item`s as
 * plain records (legacy-formats.md §2). Strict first; on a well-formedness error the file is read again by the
 * lenient parser, the items the strict pass already delivered are skipped, and every later item is marked
 * `recovered` (the adapter flags it for review with a `MALFORMED_XML` warning).
 */
import { XmlSyntaxError, xmlEvents } from './xml.ts';

export interface WxrChannel {
  title: string | null;
  link: string | null;
  baseSiteUrl: string | null;
  baseBlogUrl: string | null;
  wxrVersion: string | null;
  /** Whether the `wp` namespace (any version, http or https) is declared or used before the first item. */
  wordpress: boolean;
}

export interface WxrCategory {
  termId: string | null;
  nicename: string;
  parent: string | null;
  name: string | null;
  description: string | null;
}

export interface WxrTag {
  slug: string;
  name: string | null;
}

export interface WxrItemCategory {
  domain: string | null;
  nicename: string | null;
  name: string;
}

export interface WxrItem {
  title: string;
  link: string | null;
  pubDate: string | null;
  creator: string | null;
  guid: string | null;
  description: string | null;
  content: string;
  excerpt: string;
  postId: string | null;
  postDate: string | null;
  postDateGmt: string | null;
  postModified: string | null;
  postModifiedGmt: string | null;
  postName: string | null;
  status: string | null;
  postParent: string | null;
  menuOrder: string | null;
  postType: string | null;
  postPassword: string | null;
  isSticky: string | null;
  attachmentUrl: string | null;
  categories: WxrItemCategory[];
  meta: { key: string; value: string }[];
  comments: number;
  approvedComments: number;
  /** Read by the lenient parser after a syntax error: flag for review. */
  recovered: boolean;
  /** 1-based position in its file, for messages. */
  index: number;
}

export type WxrRecord =
  | { t: 'channel'; channel: WxrChannel }
  | { t: 'category'; category: WxrCategory }
  | { t: 'tag'; tag: WxrTag }
  | { t: 'author'; login: string; displayName: string | null }
  | { t: 'item'; item: WxrItem }
  | { t: 'malformed'; message: string; line: number | null; afterItems: number }
  /** How many characters XML forbids were removed from the file (reported once, at its end). */
  | { t: 'stripped'; count: number };

export interface ReadOptions {
  /** Skip the bodies (the first pass only needs ids, types, terms and attachment URLs). */
  light?: boolean;
  /** Stop after the channel header (at the first item). */
  headerOnly?: boolean;
}

const ITEM_FIELDS: Record<string, keyof WxrItem> = {
  title: 'title',
  link: 'link',
  pubDate: 'pubDate',
  pubdate: 'pubDate',
  'dc:creator': 'creator',
  guid: 'guid',
  description: 'description',
  'content:encoded': 'content',
  'excerpt:encoded': 'excerpt',
  'wp:post_id': 'postId',
  'wp:post_date': 'postDate',
  'wp:post_date_gmt': 'postDateGmt',
  'wp:post_modified': 'postModified',
  'wp:post_modified_gmt': 'postModifiedGmt',
  'wp:post_name': 'postName',
  'wp:status': 'status',
  'wp:post_parent': 'postParent',
  'wp:menu_order': 'menuOrder',
  'wp:post_type': 'postType',
  'wp:post_password': 'postPassword',
  'wp:is_sticky': 'isSticky',
  'wp:attachment_url': 'attachmentUrl',
};
const HEAVY = new Set(['content', 'excerpt', 'description']);

function newItem(index: number, recovered: boolean): WxrItem {
  return {
    title: '',
    link: null,
    pubDate: null,
    creator: null,
    guid: null,
    description: null,
    content: '',
    excerpt: '',
    postId: null,
    postDate: null,
    postDateGmt: null,
    postModified: null,
    postModifiedGmt: null,
    postName: null,
    status: null,
    postParent: null,
    menuOrder: null,
    postType: null,
    postPassword: null,
    isSticky: null,
    attachmentUrl: null,
    categories: [],
    meta: [],
    comments: 0,
    approvedComments: 0,
    recovered,
    index,
  };
}

/** One pass of one parser over a file. Throws XmlSyntaxError (strict only) after yielding what came before. */
async function* pass(
  path: string,
  encoding: string,
  strict: boolean,
  opts: ReadOptions,
  skipItems: number,
): AsyncGenerator<WxrRecord> {
  const stack: string[] = [];
  const channel: WxrChannel = {
    title: null,
    link: null,
    baseSiteUrl: null,
    baseBlogUrl: null,
    wxrVersion: null,
    wordpress: false,
  };
  let channelSent = false;
  let item: WxrItem | null = null;
  let category: Record<string, string> | null = null;
  let tag: Record<string, string> | null = null;
  let author: Record<string, string> | null = null;
  let meta: { key: string; value: string } | null = null;
  let comment: Record<string, string> | null = null;
  let itemCategory: { domain: string | null; nicename: string | null } | null = null;
  let buf: string[] | null = null;
  let items = 0;
  let stripped = 0;

  for await (const batch of xmlEvents(path, encoding, strict)) {
    const out: WxrRecord[] = [];
    for (const ev of batch) {
      if (ev.k === 'text') {
        if (buf) buf.push(ev.text);
        continue;
      }
      if (ev.k === 'stripped') {
        stripped += ev.count;
        continue;
      }
      if (ev.k === 'open') {
        const parent = stack[stack.length - 1];
        stack.push(ev.name);
        if (ev.declaresWp || ev.name.startsWith('wp:')) channel.wordpress = true;
        if (ev.name === 'item' && parent === 'channel') {
          if (!channelSent) {
            out.push({ t: 'channel', channel: { ...channel } });
            channelSent = true;
            if (opts.headerOnly) break;
          }
          items += 1;
          item = newItem(items, !strict);
          continue;
        }
        if (item) {
          if (parent === 'item') {
            const field = ITEM_FIELDS[ev.name];
            if (ev.name === 'category') {
              itemCategory = { domain: ev.attrs.domain ?? null, nicename: ev.attrs.nicename ?? null };
              buf = [];
            } else if (ev.name === 'wp:postmeta') meta = { key: '', value: '' };
            else if (ev.name === 'wp:comment') comment = {};
            else if (field && !(opts.light && HEAVY.has(field))) buf = [];
          } else if ((meta && parent === 'wp:postmeta') || (comment && parent === 'wp:comment')) buf = [];
          continue;
        }
        if (parent === 'channel') {
          if (ev.name === 'wp:category') category = {};
          else if (ev.name === 'wp:tag') tag = {};
          else if (ev.name === 'wp:author') author = {};
          else buf = [];
        } else if (
          (category && parent === 'wp:category') ||
          (tag && parent === 'wp:tag') ||
          (author && parent === 'wp:author')
        )
          buf = [];
        continue;
      }
      // close
      const name = stack.pop();
      const parent = stack[stack.length - 1];
      const text = buf ? buf.join('') : null;
      buf = null;
      if (item) {
        if (name === 'item') {
          if (items > skipItems) out.push({ t: 'item', item });
          item = null;
        } else if (parent === 'item') {
          if (name === 'category' && itemCategory) {
            item.categories.push({ ...itemCategory, name: (text ?? '').trim() });
            itemCategory = null;
          } else if (name === 'wp:postmeta' && meta) {
            if (meta.key) item.meta.push(meta);
            meta = null;
          } else if (name === 'wp:comment' && comment) {
            item.comments += 1;
            if (comment['wp:comment_approved'] === '1') item.approvedComments += 1;
            comment = null;
          } else if (text !== null && name) {
            const field = ITEM_FIELDS[name];
            if (field) (item as unknown as Record<string, string>)[field] = HEAVY.has(field) ? text : text.trim();
          }
        } else if (meta && parent === 'wp:postmeta' && text !== null) {
          if (name === 'wp:meta_key') meta.key = text.trim();
          else if (name === 'wp:meta_value') meta.value = text;
        } else if (comment && parent === 'wp:comment' && text !== null && name) {
          comment[name] = text.trim();
        }
        continue;
      }
      if (category && name === 'wp:category') {
        const nicename = category['wp:category_nicename'] ?? '';
        if (nicename || category['wp:cat_name'])
          out.push({
            t: 'category',
            category: {
              termId: category['wp:term_id'] || null,
              nicename: nicename || encodeURIComponent(category['wp:cat_name'] ?? ''),
              parent: category['wp:category_parent'] || null,
              name: category['wp:cat_name'] || null,
              description: category['wp:category_description'] || null,
            },
          });
        category = null;
      } else if (tag && name === 'wp:tag') {
        const slug = tag['wp:tag_slug'] ?? '';
        if (slug || tag['wp:tag_name']) out.push({ t: 'tag', tag: { slug, name: tag['wp:tag_name'] || null } });
        tag = null;
      } else if (author && name === 'wp:author') {
        const login = author['wp:author_login'];
        if (login) out.push({ t: 'author', login, displayName: author['wp:author_display_name'] || null });
        author = null;
      } else if (author && parent === 'wp:author' && name) author[name] = (text ?? '').trim();
      else if (category && parent === 'wp:category' && name) category[name] = (text ?? '').trim();
      else if (tag && parent === 'wp:tag' && name) tag[name] = (text ?? '').trim();
      else if (parent === 'channel' && text !== null) {
        const v = text.trim() || null;
        if (name === 'title') channel.title = v;
        else if (name === 'link') channel.link = v;
        else if (name === 'wp:base_site_url') channel.baseSiteUrl = v;
        else if (name === 'wp:base_blog_url') channel.baseBlogUrl = v;
        else if (name === 'wp:wxr_version') channel.wxrVersion = v;
      } else if (name === 'channel' && !channelSent) {
        out.push({ t: 'channel', channel: { ...channel } });
        channelSent = true;
      }
    }
    for (const r of out) yield r;
    if (opts.headerOnly && channelSent) return;
  }
  if (!channelSent) yield { t: 'channel', channel: { ...channel } };
  if (stripped && !opts.headerOnly) yield { t: 'stripped', count: stripped };
}

/** Every record of one file; strict, with the lenient fallback described above. */
export async function* readWxrFile(path: string, encoding: string, opts: ReadOptions = {}): AsyncGenerator<WxrRecord> {
  let delivered = 0;
  let headerSent = false;
  try {
    for await (const r of pass(path, encoding, true, opts, 0)) {
      if (r.t === 'item') delivered = r.item.index;
      if (r.t === 'channel') {
        if (headerSent) continue;
        headerSent = true;
      }
      yield r;
    }
    return;
  } catch (err) {
    if (!(err instanceof XmlSyntaxError)) throw err;
    yield { t: 'malformed', message: err.message, line: err.line, afterItems: delivered };
  }
  for await (const r of pass(path, encoding, false, opts, delivered)) {
    if (r.t === 'channel') {
      if (headerSent) continue;
      headerSent = true;
    }
    yield r;
  }
}
