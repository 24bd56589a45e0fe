/**
 * DedeCMS 5.x URLs, rebuilt as the site generated them (legacy-formats.md §3.2, verified against
 * `include/helpers/channelunit.helper.php` `GetFileName()` / `GetTypeUrl()` and `arc.archives.class.php`):
 * every one goes into `oldUrls`, so the redirect map keeps the links cited in official documents working.
 */
import { posix } from 'node:path';
import { chinaDate } from '../sql/values.ts';

export interface DedeConfig {
  /** `cfg_cmspath`: the install sub-directory, substituted for `{cmspath}` in `typedir`. */
  cmspath: string;
  /** `cfg_arcdir`: where articles of a column without typedir go (default `/a`). */
  arcdir: string;
  /** `cfg_special`: the folder of articles without a column rule (default `/special`). */
  special: string;
  /** `cfg_plus_dir` / `cfg_phpurl`: the dynamic scripts (default `/plus`). */
  plusDir: string;
}

export const DEFAULT_DEDE_CONFIG: DedeConfig = { cmspath: '', arcdir: '/a', special: '/special', plusDir: '/plus' };

/** `$cfg_df_namerule` in include/common.inc.php. */
export const DEFAULT_NAMERULE = '{typedir}/{Y}/{M}{D}/{aid}.html';
/** The list rule DedeCMS puts in a new column's form. */
export const DEFAULT_NAMERULE2 = '{typedir}/list_{tid}_{page}.html';

export interface DedeColumnRule {
  id: number;
  typedir: string;
  isdefault: number;
  defaultname: string;
  ispart: number;
  namerule: string;
  namerule2: string;
}

export interface DedeArchiveRef {
  id: number;
  typeid: number;
  senddate: number;
  arcrank: number;
  ismake: number;
  money: number;
  filename: string;
}

/** `MfTypedir()`: `{cmspath}` replaced, repeated slashes folded; absolute URLs kept. */
export function mfTypedir(typedir: string, cfg: DedeConfig): string {
  if (/^(https?|ftp):/i.test(typedir)) return typedir;
  return typedir.replace(/\{cmspath\}/gi, cfg.cmspath).replace(/\/{2,}/g, '/');
}

export interface ArticleUrls {
  /** The page URL DedeCMS linked to: static when generated, else `/plus/view.php?aid=`. */
  primary: string;
  /** Every URL of the article: the static page and its `_N` pages, the dynamic forms (which always work). */
  all: string[];
  /** Placeholders DedeCMS supports that cannot be rebuilt here (`{pinyin}`, `{py}`, `{cc}`). */
  unsupported: string[];
}

/**
 * `GetFileName()`. The date parts come from `senddate` (录入时间), not `pubdate`: every list class calls
 * `GetFileUrl($id, $typeid, $senddate, …)` (legacy-formats.md §3.2). The page is dynamic when
 * `arcrank≠0`, `ismake==-1`, `typeid==0` or `money>0`.
 */
export function articleUrls(
  a: DedeArchiveRef,
  col: DedeColumnRule | undefined,
  cfg: DedeConfig,
  pages: number,
): ArticleUrls {
  const dynamic = `${cfg.plusDir}/view.php?aid=${a.id}`;
  const all: string[] = [];
  const unsupported: string[] = [];
  let primary = dynamic;
  let namerule = col?.namerule ?? '';
  let typeid = a.typeid;
  if (!namerule) {
    // no column rule: a special topic's article
    namerule = `${cfg.special}/arc-{aid}.html`;
    typeid = -1;
  }
  const isDynamic = a.arcrank !== 0 || a.ismake === -1 || typeid === 0 || a.money > 0;
  if (!isDynamic) {
    let dir = mfTypedir(col?.typedir ?? '', cfg);
    if (!col?.typedir) dir = cfg.cmspath + cfg.arcdir;
    let rule = namerule.toLowerCase();
    if (a.filename) rule = `${posix.dirname(rule)}/${a.filename}.html`;
    const { y, m, d } = chinaDate(a.senddate);
    rule = rule
      .replaceAll('{typedir}', dir)
      .replaceAll('{y}', y)
      .replaceAll('{m}', m)
      .replaceAll('{d}', d)
      .replaceAll('{timestamp}', String(a.senddate))
      .replaceAll('{aid}', String(a.id));
    for (const p of ['{cc}', '{pinyin}', '{py}']) if (rule.includes(p)) unsupported.push(p);
    if (unsupported.length === 0) {
      let url = `/${rule.replace(/^\//, '')}`;
      url = url.replace(/\/{2,}/g, '/');
      primary = url;
      all.push(url);
      // page N of a split article: {NameFirst}_N.html
      const first = url.replace(/\.html?$/i, '');
      const ext = url.slice(first.length) || '.html';
      for (let n = 2; n <= pages; n++) all.push(`${first}_${n}${ext}`);
    }
  }
  all.push(dynamic);
  for (let n = 2; n <= pages; n++) all.push(`${dynamic}&pageno=${n}`);
  all.push(`${cfg.plusDir}/view-${a.id}-1.html`); // the rewrite form (cfg_rewrite = Y)
  return { primary, all, unsupported };
}

/**
 * `GetTypeUrl()` plus the list pages: `/plus/list.php?tid=` (always works), the column index
 * `{typedir}/{defaultname}`, and `namerule2` pages 1…`listPages` (`list_{tid}_{page}.html`).
 */
export function columnUrls(c: DedeColumnRule, cfg: DedeConfig, listPages: number): string[] {
  const urls: string[] = [`${cfg.plusDir}/list.php?tid=${c.id}`];
  if (c.isdefault === -1 || c.ispart === 2) return urls;
  const dir = mfTypedir(c.typedir, cfg).replace(/\/+$/, '');
  if (/^(https?|ftp):/i.test(dir)) return urls;
  const base = dir.startsWith('/') ? dir : `/${dir}`;
  if (c.ispart !== 0 || c.isdefault !== 0) {
    urls.push(`${base}/${c.defaultname || 'index.html'}`, `${base}/`);
  }
  if (c.ispart === 0) {
    const rule = (c.namerule2 || DEFAULT_NAMERULE2).replaceAll('{typedir}', base).replaceAll('{tid}', String(c.id));
    for (let p = 1; p <= Math.max(1, listPages); p++) {
      urls.push(`/${rule.replaceAll('{page}', String(p)).replace(/^\/+/, '')}`.replace(/\/{2,}/g, '/'));
    }
  }
  urls.push(`${cfg.plusDir}/list-${c.id}.html`);
  return [...new Set(urls)];
}

/**
 * An article body with its `#p#副标题#e#` page breaks joined (arc.archives.class.php splits on `#p#` and strips
 * up to `#e#`). A page title other than the editor's placeholder 分页标题 is kept as a heading.
 */
export function joinDedePages(body: string): { html: string; pages: number } {
  let pages = 1;
  const html = body.replace(
    /<p[^>]*>\s*#p#((?:(?!#p#)[\s\S])*?)#e#\s*<\/p>|#p#((?:(?!#p#)[\s\S])*?)#e#/gi,
    (_m, a?: string, b?: string) => {
      pages++;
      const title = (a ?? b ?? '').replace(/<[^>]*>/g, '').trim();
      return title && title !== '分页标题' ? `<h2>${title}</h2>` : '';
    },
  );
  return { html, pages };
}
