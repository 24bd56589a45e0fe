/**
 * One published page of a legacy site: told list from detail, and its fields taken in the order of
 * legacy-formats.md §8.3–§8.4 — national page metadata (国办发〔2017〕47号 《政府网站发展指引》; GB/T 42147-2022),
 * the 信息公开 metadata block, the CMS containers (TRS, Hanweb, DedeCMS, PHPCMS), then Readability.
 */
import * as cheerio from 'cheerio';
import type { AnyNode, Element } from 'domhandler';
import type { LegacyFileRef, LegacyGovMeta } from '../record.ts';
import { ANY_DATE, BYLINE_DATE, dateFromUrl, dayOf, isoFromParts, parseLegacyDate } from './dates.ts';
import { resolveLink, urlHint } from './urls.ts';

export type PageKind = 'detail' | 'list' | 'home' | 'other';

export interface PageSignals {
  kind: PageKind;
  /** Why a page is `other` (search page, error page, nothing recognisable). */
  why?: string;
  detailScore: number;
  listScore: number;
}

export interface ParsedPage {
  $: cheerio.CheerioAPI;
  html: string;
  path: string;
  metas: Map<string, string>;
  signals: PageSignals;
  /** Breadcrumb names without 首页 and without the trailing 正文/title. */
  crumbs: string[];
  /** The page's own part of `<title>` (without site and column parts; see `titleHead`). */
  titleHead: string | null;
}

/** Labels of the national page metadata, matched case-insensitively (§8.1). */
function readMetas($: cheerio.CheerioAPI): Map<string, string> {
  const metas = new Map<string, string>();
  $('meta[name], meta[property]').each((_, el) => {
    const name = ($(el).attr('name') ?? $(el).attr('property') ?? '').trim().toLowerCase();
    const content = ($(el).attr('content') ?? '').trim();
    if (name && content && !metas.has(name)) metas.set(name, content);
  });
  return metas;
}

const norm = (s: string) => s.replace(/[\s\u00a0\u3000]+/g, ' ').trim();
const squash = (s: string) => s.replace(/[\s\u00a0\u3000]+/g, '');

/** Text nodes whose text matches, in document order (one walk, no string building). */
function textNodesMatching($: cheerio.CheerioAPI, re: RegExp): AnyNode[] {
  const out: AnyNode[] = [];
  const walk = (node: AnyNode) => {
    if (node.type === 'text') {
      if (re.test((node as unknown as { data: string }).data)) out.push(node);
      return;
    }
    if (node.type !== 'tag' && node.type !== 'root') return;
    const el = node as Element;
    if (el.tagName === 'script' || el.tagName === 'style') return;
    for (const c of el.children ?? []) walk(c);
  };
  for (const n of $.root().toArray()) walk(n);
  return out;
}

/** The nearest element above `node` (itself excluded) whose text satisfies `ok`, climbing at most `depth` levels. */
function climb(
  $: cheerio.CheerioAPI,
  node: AnyNode,
  ok: (text: string) => boolean,
  depth = 8,
): cheerio.Cheerio<Element> | null {
  let cur = node.parent as Element | null;
  for (let i = 0; cur && i < depth; i++, cur = cur.parent as Element | null) {
    if (cur.type !== 'tag' || cur.tagName === 'body' || cur.tagName === 'html') return null;
    if (ok($(cur).text())) return $(cur);
  }
  return null;
}

const CRUMB_LABEL = /(当前位置|您的位置|你的位置|您现在的位置|你现在的位置|所在位置|位置)\s*[:：]/;
const CRUMB_HOME = /^(首页|网站首页|主页|home|返回首页)$/i;
const CRUMB_TAIL = /^(正文|详细内容|详情|内容|正文内容|浏览文章|阅读文章|文章内容|信息内容)$/;

function readCrumbs($: cheerio.CheerioAPI): string[] {
  let box: cheerio.Cheerio<Element> | null = null;
  const byClass = $(
    '[class*=crumb], [id*=crumb], [class*=position], [id*=position], [class*=location], [id*=location], .dqwz, #dqwz, .weizhi, #weizhi, .path, .lmdh',
  ).filter((_, el) => {
    const t = norm($(el).text());
    return t.length < 200 && (/[>›»→＞]/.test(t) || CRUMB_LABEL.test(t));
  });
  if (byClass.length) box = byClass.first();
  if (!box) {
    for (const n of textNodesMatching($, CRUMB_LABEL)) {
      const found = climb($, n, (t) => norm(t).length < 200 && /[>›»→＞]/.test(t), 4);
      if (found) {
        box = found;
        break;
      }
    }
  }
  if (!box) return [];
  const text = norm((box as cheerio.Cheerio<Element>).text()).replace(
    /^.*?(当前位置|您的位置|你的位置|您现在的位置|你现在的位置|所在位置|位置)\s*[:：]/,
    '',
  );
  return text
    .split(/\s*(?:>|›|»|→|＞|&gt;|\/)\s*/)
    .map((s) => s.trim())
    .filter((s) => s && !CRUMB_HOME.test(s) && !CRUMB_TAIL.test(s));
}

/**
 * The page's own part of `<title>`: TRS and DedeCMS write `标题_栏目_站名` (first part), Hanweb often
 * `站名 栏目 标题` (last part). Parts equal to the site name are dropped, and a title that starts with the site
 * name is read from the end.
 */
export function titleHead($: cheerio.CheerioAPI, siteName?: string | null): string | null {
  const t = norm($('title').first().text());
  if (!t) return null;
  const site = siteName ? norm(siteName) : null;
  const parts = t
    .split(/\s*(?:_|\||｜|——|—|--|\s-\s)\s*/)
    .map((x) => x.trim())
    .filter(Boolean);
  if (site && t.startsWith(site) && t.length > site.length) {
    const tail = t
      .slice(site.length)
      .split(/\s*(?:_|\||｜|——|—|--|\s-\s)\s*|\s+/)
      .filter(Boolean);
    return tail.at(-1) ?? t;
  }
  const own = parts.filter((x) => x !== site);
  return own[0] ?? parts[0] ?? null;
}

/** CMS body containers, most specific first (§6.2, §7, §8.4). */
const CONTAINERS = [
  '.TRS_Editor',
  '.TRS_UEDITOR',
  '.trs_paper_default',
  // The national intensive platform (UCAP, gov.cn) and city templates seen in RSSHub's gov routes.
  '#UCAP-CONTENT',
  '.pages_content',
  '.detail_content',
  '#zoom',
  '#Zoom',
  '.zoom',
  '#ArticleBody',
  '#Article .content',
  '.article-content',
  '.article_content',
  '.art_con',
  '.arc_content',
  '.detail-content',
  '.news_content',
  '#content',
  '.content',
  '.view',
];
const GENERIC = new Set(['#content', '.content', '.view']);
const ZJEG = /<!--\s*ZJEG_RSS\.content\.begin\s*-->([\s\S]*?)<!--\s*ZJEG_RSS\.content\.end\s*-->/i;

function hanwebField(html: string, label: string): string | null {
  const re = new RegExp(
    `<!--\\s*<\\$\\[${label}\\]>\\s*begin\\s*-->([\\s\\S]*?)<!--\\s*<\\$\\[${label}\\]>\\s*end\\s*-->`,
  );
  const m = re.exec(html);
  if (!m?.[1]) return null;
  const text = norm(cheerio.load(m[1]).root().text());
  return text || null;
}

/** Where the body is: the Hanweb markers, then the first CMS container that holds text or images. */
function findContainer($: cheerio.CheerioAPI, html: string): { el: cheerio.Cheerio<AnyNode>; via: string } | null {
  const z = ZJEG.exec(html);
  if (z?.[1] && (squash(cheerio.load(z[1]).root().text()).length > 0 || /<img/i.test(z[1]))) {
    // Re-parse the fragment: the comments may cut across elements.
    const frag = cheerio.load(`<div id="zq-zjeg">${z[1]}</div>`, null, false);
    return { el: frag('#zq-zjeg'), via: 'ZJEG_RSS' };
  }
  for (const sel of CONTAINERS) {
    const found = $(sel).filter((_, el) => {
      const len = squash($(el).text()).length;
      if (len < 2 && $(el).find('img').length === 0) return false;
      // A generic name (`.content`, `#content`, `.view`) often wraps the whole template: mostly links means
      // navigation, not an article — leave it to the next selector or to Readability.
      if (GENERIC.has(sel) && len > 0 && squash($(el).find('a').text()).length / len > 0.4) return false;
      return true;
    });
    if (found.length) {
      // The largest match (`.content` can match a small byline box before the real body).
      let best = found.first();
      let bestLen = squash(best.text()).length;
      found.each((_, el) => {
        const len = squash($(el).text()).length;
        if (len > bestLen) {
          best = $(el);
          bestLen = len;
        }
      });
      return { el: best as cheerio.Cheerio<AnyNode>, via: sel };
    }
  }
  return null;
}

const PAGINATION = /共\s*\d+\s*页|尾\s*页|末\s*页|第\s*\d+\s*页\s*\/\s*共/;

function hasRepeatingList($: cheerio.CheerioAPI): { found: boolean; dated: boolean } {
  let found = false;
  let dated = false;
  $('ul, ol, tbody, dl, div').each((_, el) => {
    if (found && dated) return false;
    const kids = $(el).children();
    if (kids.length < 6) return;
    const tag = (kids.first().get(0) as Element | undefined)?.tagName;
    let same = 0;
    let oneLink = 0;
    let withDate = 0;
    kids.each((_, k) => {
      if ((k as Element).tagName !== tag) return;
      same++;
      const links = $(k).find('a[href]').length;
      if (links >= 1 && links <= 2) oneLink++;
      if (ANY_DATE.test($(k).text())) withDate++;
    });
    if (same >= 6 && oneLink >= same * 0.8) {
      found = true;
      if (withDate >= same * 0.5) dated = true;
    }
    return;
  });
  return { found, dated };
}

/**
 * The longest run of prose under one element: the text of its direct `<p>` children and its own text, links
 * excluded. Cheap stand-in for Readability's `isProbablyReaderable` on hand-made table-layout pages.
 */
function longestProse($: cheerio.CheerioAPI): number {
  let best = 0;
  $('body, div, td, article, section').each((_, el) => {
    let len = 0;
    for (const c of (el as Element).children) {
      if (c.type === 'text') len += squash((c as unknown as { data: string }).data).length;
      else if (c.type === 'tag' && (c as Element).tagName === 'p') {
        const p = $(c);
        len += squash(p.text()).length - squash(p.find('a').text()).length;
      }
    }
    if (len > best) best = len;
  });
  return best;
}

/** List or detail (§8.3): the URL rule, the metadata, then the structure; each signal adds to one side. */
export function classify($: cheerio.CheerioAPI, html: string, path: string, metas: Map<string, string>): PageSignals {
  const hint = urlHint(path);
  let detail = 0;
  let list = 0;
  const hasArticleMeta = metas.has('articletitle');
  if (hint === 'home' && !hasArticleMeta) return { kind: 'home', detailScore: 0, listScore: 0 };
  if (hint === 'other' && !hasArticleMeta)
    return { kind: 'other', why: 'search or error page', detailScore: 0, listScore: 0 };
  if (hint === 'detail') detail += 3;
  if (hint === 'list') list += 3;
  if (hasArticleMeta) detail += 3;
  if (metas.has('pubdate')) detail += 2;
  if (metas.has('columnname') && !hasArticleMeta) list += 2;
  const text = norm($('body').text());
  if (/上一篇|下一篇|上一条|下一条/.test(text)) detail += 2;
  if (BYLINE_DATE.test(text) && /(信息)?来源\s*[:：]/.test(text)) detail += 2;
  if (/索引号/.test(text) && /(文\s*号|发文字号|发布机构|成文日期)/.test(text)) detail += 2;
  const container = findContainer($, html);
  if (container && squash(container.el.text()).length >= 50) detail += container.via === '.content' ? 1 : 2;
  if (/createPageHTML\s*\(|var\s+countPage\s*=/.test(html)) list += 3;
  if (/<datastore>/i.test(html)) list += 3;
  if (PAGINATION.test(text)) {
    // A multi-page article's own pager links to `{name}_{n}.html` of this very page: not list paging.
    const base = path
      .slice(path.lastIndexOf('/') + 1)
      .replace(/\.[^.]+$/, '')
      .replace(/_\d+$/, '');
    const own = $('a[href]')
      .toArray()
      .some((a) =>
        new RegExp(`(^|/)${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}_\\d+\\.`).test($(a).attr('href') ?? ''),
      );
    if (!own) list += 2;
  }
  const rep = hasRepeatingList($);
  if (rep.found) list += rep.dated ? 3 : 1;
  if (detail >= 3 && detail > list) return { kind: 'detail', detailScore: detail, listScore: list };
  if (list >= 3 && list >= detail) return { kind: 'list', detailScore: detail, listScore: list };
  // Weak signals: a long text block is an article; a page of links is a list.
  if (container && squash(container.el.text()).length >= 200)
    return { kind: 'detail', detailScore: detail, listScore: list };
  if (list === 0 && longestProse($) >= 150) return { kind: 'detail', detailScore: detail, listScore: list };
  if (list > detail) return { kind: 'list', detailScore: detail, listScore: list };
  if (detail > list && detail >= 2) return { kind: 'detail', detailScore: detail, listScore: list };
  return { kind: 'other', why: 'neither a list nor an article', detailScore: detail, listScore: list };
}

export function parsePage(html: string, path: string): ParsedPage {
  const $ = cheerio.load(html);
  const metas = readMetas($);
  return {
    $,
    html,
    path,
    metas,
    signals: classify($, html, path, metas),
    crumbs: readCrumbs($),
    titleHead: titleHead($, metas.get('sitename')),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Detail extraction

const GOV_LABELS: { key: keyof LegacyGovMeta | 'title' | 'validity'; re: RegExp }[] = [
  { key: 'indexNumber', re: /^索\s*引\s*号$/ },
  { key: 'docNumber', re: /^(文\s*号|发文字号|发文文号|发文号)$/ },
  { key: 'issuingBody', re: /^(发布机构|发文机关|发文单位|发布单位|公开单位|制发机关)$/ },
  { key: 'writtenAt', re: /^(成文日期|成文时间|发文日期)$/ },
  { key: 'issuedAt', re: /^(发布日期|公开日期|发布时间|印发日期)$/ },
  { key: 'topic', re: /^(主题分类|主题词|分\s*类|信息分类)$/ },
  { key: 'title', re: /^(名\s*称|标\s*题|文件名称)$/ },
  { key: 'validity', re: /^(有效性|效力状态|时效)$/ },
];
const ANY_GOV_LABEL =
  /(索\s*引\s*号|发文字号|发文文号|文\s*号|发布机构|发文机关|成文日期|发布日期|公开日期|主题分类|有效性)\s*[:：]/;

function labelKey(token: string): (typeof GOV_LABELS)[number]['key'] | null {
  const t = token.replace(/[:：\s\u00a0\u3000]+$/g, '').trim();
  for (const l of GOV_LABELS) if (l.re.test(t)) return l.key;
  return null;
}

/** The smallest element holding 索引号 and another label: the 信息公开 metadata block. */
function findGovBlock($: cheerio.CheerioAPI): cheerio.Cheerio<Element> | null {
  // From each 索引号 text up to the first box that also holds another label: the smallest block.
  let best: cheerio.Cheerio<Element> | null = null;
  let bestLen = Number.POSITIVE_INFINITY;
  for (const n of textNodesMatching($, /索\s*引\s*号/)) {
    const found = climb($, n, (t) => /索\s*引\s*号/.test(t) && /(文\s*号|发文字号|发布机构|发文机关|成文日期)/.test(t));
    if (!found) continue;
    const len = found.text().length;
    if (len < bestLen && len < 3000) {
      best = found;
      bestLen = len;
    }
  }
  if (!best) return null;
  // A row of a bigger table: widen to the table.
  let block = best as cheerio.Cheerio<Element>;
  const table = block.closest('table');
  if (table.length && table.text().length < 3000) block = table as cheerio.Cheerio<Element>;
  // Two-column layouts split the labels over sibling boxes (`.top-l` 索引号/发布机构/文号, `.top-r` 主题分类/
  // 发布日期, as on hd.gov.cn): climb while the parent is still small and holds more labels.
  for (let i = 0; i < 3; i++) {
    const parent = block.parent();
    if (!parent.length || parent.is('body, html')) break;
    const pt = parent.text();
    if (pt.length >= 3000 || labelCount(pt) <= labelCount(block.text())) break;
    block = parent as cheerio.Cheerio<Element>;
  }
  return block;
}

const LABELS_ALL = /(索\s*引\s*号|发文字号|文\s*号|发布机构|发文机关|成文日期|发布日期|主题分类|有效性)/g;
function labelCount(text: string): number {
  return new Set(text.match(LABELS_ALL) ?? []).size;
}

/** Leaf texts of a block, in order (cells, label spans, the text after them). */
function leafTokens($: cheerio.CheerioAPI, block: cheerio.Cheerio<Element>): string[] {
  const out: string[] = [];
  const walk = (node: AnyNode) => {
    if (node.type === 'text') {
      const t = norm((node as unknown as { data: string }).data);
      if (t) out.push(t);
      return;
    }
    if (node.type !== 'tag') return;
    const el = node as Element;
    if (['script', 'style'].includes(el.tagName)) return;
    for (const c of el.children) walk(c);
  };
  for (const el of block.toArray()) walk(el);
  // Split tokens that hold several "label：value" pairs.
  const split: string[] = [];
  for (const tok of out) {
    const parts = tok.split(new RegExp(`(?=${ANY_GOV_LABEL.source})`)).map((s) => s.trim());
    for (const p of parts) if (p) split.push(p);
  }
  void $;
  return split;
}

export function readGovMeta($: cheerio.CheerioAPI): {
  meta: LegacyGovMeta | null;
  block: cheerio.Cheerio<Element> | null;
  title?: string;
} {
  const block = findGovBlock($);
  if (!block) return { meta: null, block: null };
  const tokens = leafTokens($, block);
  const labelled = (tok: string) => {
    const m = /^([^:：]{1,8})\s*[:：]\s*(.*)$/.exec(tok);
    if (m) {
      const key = labelKey(m[1]!);
      if (key) return { key, value: m[2]!.trim() };
    }
    const key = labelKey(tok);
    return key ? { key, value: '' } : null;
  };
  const values = new Map<string, string>();
  for (let i = 0; i < tokens.length; i++) {
    const hit = labelled(tokens[i]!);
    if (!hit) continue;
    let value = hit.value;
    const next = tokens[i + 1];
    // `<td>索引号：</td><td>000014348/2020-35147</td>` or `<strong>索引号</strong>：000014348/2020-35147`
    if (!value && next !== undefined && !labelled(next)) {
      value = next.replace(/^[:：]\s*/, '').trim();
      i++;
    }
    // 文号：无 — the form had the field, the document has none.
    if (/^(无|暂无|空|-+|—+|\/)$/.test(value)) value = '';
    if (value && !values.has(hit.key)) values.set(hit.key, value);
  }
  const meta: LegacyGovMeta = {
    indexNumber: values.get('indexNumber') ?? null,
    docNumber: values.get('docNumber') ?? null,
    issuingBody: values.get('issuingBody') ?? null,
    writtenAt: dayOf(values.get('writtenAt')),
    issuedAt: dayOf(values.get('issuedAt')),
    topic: values.get('topic') ?? null,
  };
  const any = Object.values(meta).some((v) => v);
  return { meta: any ? meta : null, block, title: values.get('title') };
}

/** Template chrome that must not end up in a body (§8.4 "Body cleanup"). */
const CHROME_ONLY =
  /^(?:[【】[\]()（）|｜:：\s]|打印本页|打印此页|打印文章|打印|关闭窗口|关闭本页|关闭|字体|字号|[大中小]|默认|收藏本页|加入收藏|收藏|分享到|分享|扫一扫在手机打开当前页|扫一扫|在手机上打开|手机扫码|返回顶部|顶部|我要纠错|纠错|浏览次数|访问次数|次|\d+)+$/;
const BYLINE_LABELS = /(来\s*源|作\s*者|浏览|点击|阅读|访问量|编辑|发布者)\s*[:：次]/;
const PREV_NEXT = /^\s*(上一篇|下一篇|上一条|下一条|上篇|下篇)\s*[:：]/;
const CHROME_SELECTORS = [
  'script',
  'style',
  'noscript',
  'object',
  'embed',
  'iframe',
  'form',
  'input',
  'button',
  'select',
  'meta',
  'link',
  '.bdsharebuttonbox',
  '.bshare-custom',
  '.share',
  '#share',
  '.fenxiang',
  '.print',
  '#print',
  '.ewm',
  '.qrcode',
  'nav',
  '.nav',
  '#nav',
  '.footer',
  '#footer',
];

function stripChrome($: cheerio.CheerioAPI, root: cheerio.Cheerio<AnyNode>): void {
  root.find(CHROME_SELECTORS.join(',')).remove();
  root
    .find('*')
    .contents()
    .filter((_, n) => n.type === 'comment')
    .remove();
  root
    .contents()
    .filter((_, n) => n.type === 'comment')
    .remove();
  root.find('p, div, span, a, td, tr, table, li, ul, font, strong, b').each((_, el) => {
    const t = $(el).text();
    const s = squash(t);
    if (!s) return;
    if (s.length <= 60 && CHROME_ONLY.test(s) && $(el).find('img').length === 0) $(el).remove();
    else if (s.length < 200 && PREV_NEXT.test(t)) $(el).remove();
    // The byline line (发布时间：… 来源：…) that a generic container or Readability took in.
    else if (s.length < 150 && BYLINE_DATE.test(t) && BYLINE_LABELS.test(t) && $(el).find('p, img').length === 0)
      $(el).remove();
  });
}

const FILE_EXT = /\.(docx?|xlsx?|pptx?|pdf|wps|et|dps|ofd|ceb|zip|rar|7z|txt)(?:$|[?#])/i;
const FILE_SCRIPT = /downfile\.jsp|download\.(?:jsp|php|aspx?)|\/uploads\/soft\/|\/uploadfile\//i;

const MEDIA_TYPES: Record<string, string> = {
  doc: 'application/msword',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xls: 'application/vnd.ms-excel',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  ppt: 'application/vnd.ms-powerpoint',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  pdf: 'application/pdf',
  wps: 'application/vnd.ms-works',
  et: 'application/vnd.ms-excel',
  dps: 'application/vnd.ms-powerpoint',
  ofd: 'application/ofd',
  zip: 'application/zip',
  rar: 'application/vnd.rar',
  '7z': 'application/x-7z-compressed',
  txt: 'text/plain',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  bmp: 'image/bmp',
  webp: 'image/webp',
};

export function mediaTypeOf(url: string): string | null {
  const clean = url.replace(/#.*$/, '');
  const q = clean.indexOf('?');
  const pathPart = q < 0 ? clean : clean.slice(0, q);
  const query = q < 0 ? '' : clean.slice(q + 1);
  const own = /\.([a-z0-9]{1,5})$/i.exec(pathPart)?.[1]?.toLowerCase();
  if (own && MEDIA_TYPES[own]) return MEDIA_TYPES[own];
  // Download scripts carry the stored name in the query: downfile.jsp?filename=2103051630456.doc
  const inQuery = /\.([a-z0-9]{1,5})(?:&|$)/i.exec(query)?.[1]?.toLowerCase();
  return inQuery ? (MEDIA_TYPES[inQuery] ?? null) : null;
}

export interface ExtractedDetail {
  title: string;
  publishedAt: string | null;
  source: string | null;
  author: string | null;
  keywords: string[];
  summary: string | null;
  bodyHtml: string;
  attachments: LegacyFileRef[];
  images: LegacyFileRef[];
  thumbnail: LegacyFileRef | null;
  govMeta: LegacyGovMeta | null;
  columnName: string | null;
  /** How the body was found: a container selector, `ZJEG_RSS`, or `readability`. */
  via: string;
  /** Warnings worth reporting (no date, title from `<title>`…). */
  notes: { code: string; message: string }[];
}

function titleFrom(page: ParsedPage, siteName: string | null): { title: string | null; via: string } {
  const { $, metas, html } = page;
  const meta = metas.get('articletitle');
  if (meta) return { title: norm(meta), via: 'meta' };
  const hanweb = hanwebField(html, '标题名称');
  if (hanweb) return { title: hanweb, via: 'hanweb' };
  for (const sel of [
    '.article-title',
    '.article_title',
    '.art_title',
    '.detail-title',
    '.news_title',
    '.content-title',
    '#title',
    '.title h1',
    'h1',
    '.title',
    '.tit',
    'h2',
  ]) {
    const found = $(sel)
      .toArray()
      .map((el) => norm($(el).text()))
      .find((t) => t.length >= 2 && t.length <= 200 && t !== siteName && !CRUMB_LABEL.test(t));
    if (found) return { title: found, via: sel };
  }
  const og = metas.get('og:title');
  if (og) return { title: norm(og), via: 'og:title' };
  return { title: page.titleHead, via: 'title' };
}

/**
 * The page's text outside the body (title, byline, 信息公开 block, footer): where 发布时间 and 来源 are written.
 * The body is left out because its dates are the 落款 (成文日期), not the publication.
 */
function bylineText($: cheerio.CheerioAPI, body: cheerio.Cheerio<AnyNode> | null): string {
  const skip = new Set(body?.toArray() ?? []);
  const parts: string[] = [];
  let inZjeg = false;
  const walk = (node: AnyNode) => {
    if (node.type === 'comment') {
      const d = (node as unknown as { data: string }).data;
      if (/ZJEG_RSS\.content\.begin/i.test(d)) inZjeg = true;
      if (/ZJEG_RSS\.content\.end/i.test(d)) inZjeg = false;
      return;
    }
    if (inZjeg) return;
    if (node.type === 'text') {
      parts.push((node as unknown as { data: string }).data);
      return;
    }
    if (node.type !== 'tag' && node.type !== 'root') return;
    const el = node as Element;
    if (skip.has(el) || ['script', 'style', 'noscript', 'head'].includes(el.tagName)) return;
    if (el.tagName === 'td' || el.tagName === 'div' || el.tagName === 'p' || el.tagName === 'br') parts.push(' ');
    for (const c of el.children ?? []) walk(c);
  };
  for (const n of $.root().toArray()) walk(n);
  return norm(parts.join(''));
}

// A label right after another Chinese character is text, not a label (数据来源：, 原作者：).
const SOURCE_RE =
  /(?<![\u4e00-\u9fff])(?:信息|文章|稿件)?来\s*源\s*[:：]\s*([^\s|｜【[]{1,40}?)(?=\s|$|【|\[|\||｜|发布|时间|日期|作者|浏览|点击|阅读|字号|访问|责任)/;
const AUTHOR_RE =
  /(?<![\u4e00-\u9fff])(?:作\s*者|撰\s*稿|文\s*稿)\s*[:：]\s*([^\s|｜【[]{1,30}?)(?=\s|$|【|\[|\||｜|发布|时间|日期|来源|浏览|点击|字号)/;

/**
 * Readability on jsdom, loaded on first use: jsdom costs ~100 MB of RSS and most snapshots (TRS, Hanweb,
 * DedeCMS) never need it because a CMS container matches.
 */
let readabilityModules: Promise<[typeof import('@mozilla/readability'), typeof import('jsdom')]> | null = null;
async function bodyByReadability(html: string): Promise<string | null> {
  readabilityModules ??= Promise.all([import('@mozilla/readability'), import('jsdom')]);
  const [{ Readability }, { JSDOM }] = await readabilityModules;
  const dom = new JSDOM(html);
  try {
    const article = new Readability(dom.window.document, { charThreshold: 100 }).parse();
    if (!article?.content) return null;
    // Readability wraps its result in <div id="readability-page-1" class="page">: keep what is inside.
    const $r = cheerio.load(article.content, null, false);
    const wrap = $r('#readability-page-1');
    return wrap.length ? (wrap.html() ?? '') : article.content;
  } finally {
    dom.window.close();
  }
}

export async function extractDetail(page: ParsedPage, siteName: string | null): Promise<ExtractedDetail> {
  const { $, metas, html, path } = page;
  const notes: ExtractedDetail['notes'] = [];
  const { title: rawTitle, via: titleVia } = titleFrom(page, siteName);
  const gov = readGovMeta($);
  const title = rawTitle ?? gov.title ?? path.slice(path.lastIndexOf('/') + 1);
  if (!rawTitle) notes.push({ code: 'NO_TITLE', message: `no title found in ${path}; the file name is used` });
  else if (titleVia === 'title')
    notes.push({ code: 'TITLE_FROM_HEAD', message: `title of ${path} taken from <title>` });

  // Body: container, else Readability.
  const found = findContainer($, html);
  let bodyRoot: cheerio.Cheerio<AnyNode>;
  let $b: cheerio.CheerioAPI;
  let via: string;
  if (found) {
    $b = cheerio.load('<div id="zq-body"></div>', null, false);
    $b('#zq-body').append(found.el.html() ?? '');
    bodyRoot = $b('#zq-body');
    via = found.via;
  } else {
    const readable = await bodyByReadability(html);
    $b = cheerio.load(`<div id="zq-body"></div>`, null, false);
    $b('#zq-body').append(readable ?? '');
    bodyRoot = $b('#zq-body');
    via = 'readability';
    if (!readable) notes.push({ code: 'NO_BODY', message: `no article body found in ${path}` });
  }
  // The 信息公开 block and the title do not belong in the body when a generic container held them.
  // Only the smallest box holding the labels goes: a wrapper that also holds the text must stay.
  const govInBody = findGovBlock($b);
  if (govInBody && govInBody.text().length < 1500) govInBody.remove();
  bodyRoot.find('h1').each((_, el) => {
    if (norm($b(el).text()) === title) $b(el).remove();
  });
  stripChrome($b, bodyRoot);
  // Links and images resolved against the page, so that the file store can find them.
  bodyRoot.find('a[href]').each((_, el) => {
    $b(el).attr('href', resolveLink($b(el).attr('href') ?? '', path));
  });
  bodyRoot.find('img[src]').each((_, el) => {
    $b(el).attr('src', resolveLink($b(el).attr('src') ?? '', path));
  });
  const bodyHtml = (bodyRoot.html() ?? '').trim();

  // Attachments: file links in the body, and in an attachment block outside it.
  const attachments: LegacyFileRef[] = [];
  const seen = new Set<string>();
  const addLink = (href: string | undefined, name: string, fromPage: boolean) => {
    if (!href || /^(javascript:|mailto:|#)/i.test(href)) return;
    if (!FILE_EXT.test(href) && !FILE_SCRIPT.test(href)) return;
    const url = fromPage ? resolveLink(href, path) : href;
    if (seen.has(url)) return;
    seen.add(url);
    attachments.push({ url, name: norm(name) || url.slice(url.lastIndexOf('/') + 1), mediaType: mediaTypeOf(url) });
  };
  bodyRoot.find('a[href]').each((_, el) => {
    addLink(
      $b(el).attr('href'),
      $b(el).attr('title') && !norm($b(el).text()) ? $b(el).attr('title')! : $b(el).text(),
      false,
    );
  });
  $('[class*=attach], [id*=attach], [class*=fujian], [id*=fujian], .fj, #fj, .xgfj')
    .find('a[href]')
    .each((_, el) => {
      addLink($(el).attr('href'), $(el).text(), true);
    });
  const images: LegacyFileRef[] = [];
  bodyRoot.find('img[src]').each((_, el) => {
    const src = $b(el).attr('src') ?? '';
    if (!src || src.startsWith('data:')) return;
    images.push({ url: src, name: $b(el).attr('alt') || null, mediaType: mediaTypeOf(src) });
  });

  // Date: PubDate → 信息公开 发布日期/成文日期 → byline → the URL (§8.4).
  // The page's text without the container body; with a Readability body, also the text without it (`outside`).
  const byline = bylineText($, found?.el ?? null);
  let outside = byline;
  if (!found) {
    // Readability's body is not an element of this page: cut its text out by its first and last words.
    const bodyText = norm(bodyRoot.text());
    if (bodyText.length >= 20) {
      const start = byline.indexOf(bodyText.slice(0, 20));
      const tail = bodyText.slice(-20);
      const end = start >= 0 ? byline.indexOf(tail, start) : -1;
      if (start >= 0 && end >= 0) outside = `${byline.slice(0, start)} ${byline.slice(end + tail.length)}`;
    }
  }
  let publishedAt = parseLegacyDate(metas.get('pubdate')) ?? parseLegacyDate(metas.get('publishdate'));
  const bylineDate = (() => {
    const m = BYLINE_DATE.exec(byline);
    return m ? isoFromParts(m.slice(1, 7)) : null;
  })();
  if (!publishedAt && gov.meta?.issuedAt) {
    // The block gives the day; a byline of the same day may give the time too.
    publishedAt = bylineDate?.startsWith(gov.meta.issuedAt) ? bylineDate : `${gov.meta.issuedAt}T00:00:00+08:00`;
  }
  if (!publishedAt) publishedAt = bylineDate;
  // Hanweb's page generation time: later than the publication when a page was regenerated, so after the byline.
  if (!publishedAt) publishedAt = parseLegacyDate(metas.get('maketime'));
  if (!publishedAt) publishedAt = dateFromUrl(path);
  if (!publishedAt) {
    // An unlabelled date next to the title (发布于 2019年3月5日): the first full date outside the body.
    const m = ANY_DATE.exec(outside);
    if (m) publishedAt = isoFromParts(m.slice(1, 7));
  }
  if (!publishedAt && gov.meta?.writtenAt) publishedAt = `${gov.meta.writtenAt}T00:00:00+08:00`;
  if (!publishedAt) notes.push({ code: 'NO_DATE', message: `no publication date found in ${path}` });

  const source =
    metas.get('contentsource') ||
    SOURCE_RE.exec(byline)?.[1] ||
    hanwebField(html, '信息来源') ||
    gov.meta?.issuingBody ||
    null;
  const author = metas.get('author') || AUTHOR_RE.exec(byline)?.[1] || hanwebField(html, '信息作者') || null;
  const keywords = (metas.get('keywords') ?? '')
    .split(/[,，;；、\s]+/)
    .map((s) => s.trim())
    .filter(Boolean);
  const image = metas.get('image');
  return {
    title,
    publishedAt,
    source: source ? norm(source) : null,
    author: author ? norm(author) : null,
    keywords,
    summary: metas.get('description') ?? null,
    bodyHtml,
    attachments,
    images,
    thumbnail: image ? { url: resolveLink(image, path), mediaType: mediaTypeOf(image) } : null,
    govMeta: gov.meta,
    columnName: metas.get('columnname') ?? null,
    via,
    notes,
  };
}
