/**
 * Pure rules of the import (issue 11): legacy URLs as redirect paths, slugs and column codes made from legacy
 * ids, and the column mapping (a --map file, suggestions by name, or a new column under --into).
 */
import { createHash } from 'node:crypto';
import { COLUMN_CODE } from '../columns/column.policy.ts';

/**
 * A legacy URL as a site-relative path with its query (`http://old.gov.cn/a/1.html?x=1` → `/a/1.html?x=1`): the
 * redirect map is per site, and the old hosts are attached to the site, so the host is not part of the key.
 * Null for anything that is not a web address of the old site (mailto:, javascript:, #anchors, empty).
 */
export function legacyPath(url: string): string | null {
  const u = url.trim();
  if (!u || u.startsWith('#') || /^(mailto|tel|javascript|data):/i.test(u)) return null;
  let path: string;
  const abs = /^(?:https?:)?\/\/[^/?#]+([^#]*)/i.exec(u);
  if (abs) path = abs[1] || '/';
  else if (/^[a-z][a-z0-9+.-]*:/i.test(u)) return null;
  else path = u.startsWith('/') ? u.split('#')[0]! : `/${u.replace(/^\.\//, '').split('#')[0]!}`;
  if (!path.startsWith('/')) path = `/${path}`;
  path = path.replace(/\s/g, '%20');
  return path.length <= 1000 ? path : null;
}

/** Whether a legacy URL points at the old site (relative, or on one of its hosts); external links stay as they are. */
export function isOwnUrl(url: string, hosts: string[]): boolean {
  const m = /^(?:https?:)?\/\/([^/?#:]+)/i.exec(url.trim());
  if (!m) return !/^[a-z][a-z0-9+.-]*:/i.test(url.trim());
  return hosts.includes(m[1]!.toLowerCase());
}

const short = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 8);

/**
 * A slug from the legacy id (`123` → `123`; anything else made safe, with a hash suffix when it had to change).
 * The import prefers the legacy slug (legacySlug) and falls back to this one when the source has none, when it
 * is not a URL-safe name, or when it clashes.
 */
export function slugFor(sourceId: string, _legacySlug?: string | null): string {
  const fromId = cleanSlug(sourceId);
  if (fromId && fromId === sourceId) return fromId;
  return `${fromId || 'item'}-${short(sourceId)}`.slice(0, 100).replace(/^-/, 'i');
}

const cleanSlug = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '');

/**
 * The legacy slug as the new item's slug, when it is a readable URL name: a WordPress `post_name`
 * (`hello-world`), a DedeCMS custom `filename` or the last part of its naming rule's page name — the new address
 * keeps what the old one said (`/zwdt/tzgg/hello-world.html`, not `/zwdt/tzgg/1724.html`). Null when there is
 * none, or it is not ASCII letters, digits, `-` and `_` once percent-decoded (a Greek or Chinese `post_name`:
 * the id is used; the old address still redirects).
 */
export function legacySlug(slug: string | null | undefined): string | null {
  if (!slug) return null;
  let s = slug.trim();
  try {
    s = decodeURIComponent(s);
  } catch {
    return null;
  }
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(s)) return null;
  const c = cleanSlug(s.replace(/_/g, '-'));
  return c && /^[a-z0-9][a-z0-9-]{0,59}$/.test(c) ? c : null;
}

/** A slug made distinct by the source's label, when the plain one is taken in the column by another source. */
export function slugWithLabel(slug: string, label: string): string {
  return `${slug.slice(0, 90)}-${short(label)}`;
}

/** A column code from the legacy slug or id, valid for site_column.code. */
export function codeFor(sourceId: string, slug?: string | null): string {
  const s = (slug ?? '')
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (s && COLUMN_CODE.test(s)) return s.slice(0, 48);
  const id = sourceId
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return (id && COLUMN_CODE.test(`c${id}`) ? `c${id}` : `c${short(sourceId)}`).slice(0, 48);
}

/**
 * Names legacy systems gave the disclosure column, all meaning the portal's 政府信息公开 (2017 §2: a township's or
 * department's disclosure columns are mapped into the portal's 政府信息公开 structure, not created beside it —
 * a department site's 政务公开 used to become /zwgk-2 next to the template's /zwgk).
 */
const SAME_AS: Record<string, string> = {
  政务公开: '政府信息公开',
  信息公开: '政府信息公开',
  政务信息公开: '政府信息公开',
  政府信息公开专栏: '政府信息公开',
  信息公开目录: '政府信息公开',
  政府信息公开目录: '政府信息公开',
};

/**
 * Names compared loosely: spaces, bracketed qualifiers and the usual 栏目 suffixes do not matter (通知公告 ≈ 通知 公告栏,
 * 乡镇（街道）动态 ≈ 乡镇动态), and the disclosure column's names are one (SAME_AS).
 */
export function nameKey(name: string): string {
  const k = name
    .normalize('NFKC')
    // A bracketed qualifier does not make another column: 乡镇（街道）动态 ≈ 乡镇动态.
    .replace(/\([^()]*\)|\[[^[\]]*\]|【[^【】]*】/g, '')
    .replace(/[\s·•()（）[\]【】"“”'‘’]/g, '')
    .replace(/(栏目|专栏|专题)$/u, '')
    .toLowerCase();
  return SAME_AS[k] ?? k;
}

export interface SiteColumnRef {
  id: string;
  path: string;
  name: string;
  type: string;
  sourceSystem?: string | null;
  sourceScope?: string | null;
  sourceId?: string | null;
}

export interface LegacyColumnRef {
  sourceId: string;
  parentSourceId?: string | null;
  name: string;
  slug?: string | null;
  kind?: 'list' | 'page' | 'link' | null;
}

export type ColumnDecision =
  | {
      sourceId: string;
      name: string;
      action: 'MAP';
      path: string;
      columnId: string;
      why: 'MAP_FILE' | 'PREVIOUS_RUN' | 'SAME_NAME';
    }
  | { sourceId: string; name: string; action: 'CREATE'; path: string; parentPath: string | null; code: string };

/**
 * Decides, for every legacy column (parents before children), the platform column it maps onto or the column
 * to create. The `--map` file wins (by legacy id, then by name; `create` forces a new column); then a column an
 * earlier run of the same source made; then a column of the same name — below `--into` first, then anywhere
 * in the site, which is how 通知公告 lands on the template's /zwdt/tzgg and a township's 政策文件 on the
 * portal's 政府信息公开 columns (2017 §2) — and otherwise a new column under the parent's decision or `--into`
 * (with `--into`, always inside that subtree).
 */
export function decideColumns(
  legacy: LegacyColumnRef[],
  site: SiteColumnRef[],
  opts: { system: string; scope?: string | null; into: string | null; map: Record<string, string> },
): ColumnDecision[] {
  const byPath = new Map(site.map((c) => [c.path, c]));
  const bySource = new Map(
    site
      .filter((c) => c.sourceId && c.sourceSystem === opts.system && (c.sourceScope ?? null) === (opts.scope ?? null))
      .map((c) => [c.sourceId!, c]),
  );
  const below = (p: string, root: string | null) => !root || root === '/' || p === root || p.startsWith(`${root}/`);
  const byName = (name: string) => {
    const k = nameKey(name);
    const same = site.filter((c) => c.type === 'LIST' && nameKey(c.name) === k);
    return same.find((c) => opts.into && below(c.path, opts.into)) ?? (opts.into ? undefined : same[0]) ?? same[0];
  };
  const decided = new Map<string, ColumnDecision>();
  const taken = new Set(site.map((c) => c.path));
  const out: ColumnDecision[] = [];
  for (const c of parentsFirst(legacy)) {
    const mapped = opts.map[c.sourceId] ?? opts.map[c.name];
    let d: ColumnDecision | undefined;
    const prev = bySource.get(c.sourceId);
    if (mapped && mapped !== 'create') {
      const target = byPath.get(mapped.replace(/\/+$/, '') || '/');
      if (target)
        d = {
          sourceId: c.sourceId,
          name: c.name,
          action: 'MAP',
          path: target.path,
          columnId: target.id,
          why: 'MAP_FILE',
        };
    } else if (!mapped && prev) {
      d = {
        sourceId: c.sourceId,
        name: c.name,
        action: 'MAP',
        path: prev.path,
        columnId: prev.id,
        why: 'PREVIOUS_RUN',
      };
    } else if (!mapped) {
      const same = byName(c.name);
      if (same)
        d = { sourceId: c.sourceId, name: c.name, action: 'MAP', path: same.path, columnId: same.id, why: 'SAME_NAME' };
    }
    if (!d) {
      const parent = c.parentSourceId ? decided.get(c.parentSourceId) : undefined;
      const into = opts.into && opts.into !== '/' ? opts.into : null;
      // With --into, new columns stay inside the subtree (the township's part of the portal, which its signers'
      // roles cover): under the parent's target when that lies inside it, else under --into itself — a child of
      // 部门动态 (mapped onto the portal's /zwdt/bmdt) is not created among the county's own columns.
      const parentPath = parent && (!into || below(parent.path, into)) ? parent.path : into;
      let code = codeFor(c.sourceId, c.slug);
      let path = `${parentPath ?? ''}/${code}`;
      for (let n = 2; taken.has(path); n += 1) {
        code = `${codeFor(c.sourceId, c.slug).slice(0, 44)}-${n}`;
        path = `${parentPath ?? ''}/${code}`;
      }
      d = { sourceId: c.sourceId, name: c.name, action: 'CREATE', path, parentPath, code };
    }
    taken.add(d.path);
    decided.set(c.sourceId, d);
    out.push(d);
  }
  return out;
}

/**
 * The legacy columns with every parent before its children, otherwise in the order given. Exports do not promise
 * it (a WordPress category may be listed before its parent; a DedeCMS `arctype` row's parent may have a higher
 * id): a child decided before its parent was created under `--into` (or the site's root) instead of under its
 * parent's target. A parent missing from the export, or a cycle, leaves the column where it stands.
 */
export function parentsFirst<T extends { sourceId: string; parentSourceId?: string | null }>(legacy: T[]): T[] {
  const byId = new Map(legacy.map((c) => [c.sourceId, c]));
  const out: T[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (c: T) => {
    if (state.has(c.sourceId)) return;
    state.set(c.sourceId, 'visiting');
    const parent = c.parentSourceId ? byId.get(c.parentSourceId) : undefined;
    if (parent && parent !== c) visit(parent);
    state.set(c.sourceId, 'done');
    out.push(c);
  };
  for (const c of legacy) visit(c);
  return out;
}

/**
 * A legacy date as an instant: ISO 8601 with an offset as given; without one it is China time (+08:00, the
 * record contract); a date alone is midnight China time. Null for anything unreadable.
 */
export function legacyDate(v: string | null | undefined): Date | null {
  if (!v) return null;
  const t = v.trim().replace(' ', 'T');
  const withZone = /^\d{4}-\d{2}-\d{2}$/.test(t)
    ? `${t}T00:00:00+08:00`
    : /(Z|[+-]\d{2}:?\d{2})$/i.test(t)
      ? t
      : `${t}+08:00`;
  const d = new Date(withZone);
  return Number.isNaN(d.getTime()) ? null : d;
}
