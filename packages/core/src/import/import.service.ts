/**
 * One-click migration of a legacy site (issue 11; 2015 §9, 2017 §2): plan (a dry run), start, run (stage the
 * legacy records, then apply them in batches, each batch one transaction, resumable), cancel, sign (three
 * levels, three people; level 3 publishes the whole run in one transaction), progress and lists. Shared by the
 * CLI, GraphQL, the worker's job and tests. Every step is audited.
 */
import { createHash, randomUUID } from 'node:crypto';
import { isAbsolute, relative, resolve } from 'node:path';
import type { EntityManager } from '@mikro-orm/sql';
import type { ImportEvent, ImportSource, LegacyFileStore, LegacyItem, SourceSystem } from '@zhanqun/importers';
import { z } from 'zod';
import { actorLabel } from '../access/actor.ts';
import { canAdministerSite } from '../access/permissions.policy.ts';
import { appendAudit } from '../audit/audit.service.ts';
import { canonicalJson } from '../audit/audit-hash.ts';
import { Column, newColumnDefaults } from '../columns/column.entity.ts';
import { AppError } from '../errors/app-error.ts';
import { type ImportedBody, importedHtml, prepareImportedBodies } from '../items/html-port.ts';
import {
  type ContentAttachment,
  type ContentImage,
  type ItemContent,
  normaliseContent,
} from '../items/item.content.ts';
import { Item, type ItemRevision } from '../items/item.entity.ts';
import { refreshListingsOf } from '../items/item-listing.ts';
import { addRevision } from '../items/item-writes.ts';
import { grantsRoleFor, levelRole, type ReviewLevel } from '../items/review.policy.ts';
import { uploadMedia } from '../media/media.service.ts';
import { linkRevisionMedia, mediaPath } from '../media/media-refs.ts';
import type { Ctx } from '../shared/context.ts';
import { isUniqueViolation } from '../shared/db-errors.ts';
import { PREPARED_STATEMENT, preparedWhen } from '../shared/prepared-statement.ts';
import { parseInput } from '../shared/validation.ts';
import type { Site } from '../sites/site.entity.ts';
import { assertWritable, requireSiteByCode, requireSiteById } from '../sites/site-lookup.ts';
import { bodyLinks } from './body-urls.ts';
import { type ByteArena, ByteArenas } from './byte-arena.ts';
import { ImportRun, ImportSignOff, type ImportState } from './import.entities.ts';
import {
  type ColumnDecision,
  decideColumns,
  isOwnUrl,
  legacyDate,
  legacyPath,
  legacySlug,
  slugFor,
  slugWithLabel,
} from './import.policy.ts';
import { moveRunItems } from './import-moves.ts';
import { hasUploads, holdUploads, isUploadRef, localUploads, requireUpload } from './import-upload.ts';
import { releaseRunUploads } from './import-upload-retention.ts';
import { BODY_HERE, splicedContent } from './revision-bytes.ts';

const systems = ['wordpress', 'dedecms', 'phpcms', 'static', 'bundle'] as const;
const LIST_CAP = 200;

const sourceFields = {
  site: z.string().min(1),
  /** Paths of the source (files of one export, or a folder); inside IMPORT_DIR unless run by an operator. */
  source: z.array(z.string().trim().min(1).max(1000)).min(1).max(50),
  system: z.enum(systems).nullish(),
  /** The column subtree new columns are created under (a township into its county portal, 2017 §2). */
  into: z
    .string()
    .trim()
    .regex(/^\/[a-z0-9/-]*$/, 'a column path such as /xz/pzx')
    .nullish(),
  /** legacy column sourceId or name → column path, or `create`. */
  map: z.record(z.string(), z.string().trim().max(300)).nullish(),
  /** The uploads folder or archive. */
  files: z.string().trim().max(1000).nullish(),
  /** The old site's base URLs (to tell its own links from external ones). */
  baseUrls: z
    .array(z.url({ protocol: /^https?$/ }))
    .max(20)
    .nullish(),
};
const planInput = z.object(sourceFields);
export type PlanImportInput = z.input<typeof planInput>;
const startInput = z.object({
  ...sourceFields,
  /** What identifies "the same source" across re-runs (default: the source's file or folder name). */
  label: z.string().trim().min(1).max(300).nullish(),
  legacySiteId: z.uuid().nullish(),
  /** false: plan only (the run stays PLANNED until committed). */
  commit: z.boolean().nullish(),
});
export type StartImportInput = z.input<typeof startInput>;

/** Site admins (and above), platform-wide actors, and API tokens of the site with the IMPORT scope. */
function canImport(ctx: Ctx, siteId: string): boolean {
  if (ctx.actor.kind === 'apiToken') return ctx.actor.siteId === siteId && ctx.actor.scopes.includes('IMPORT');
  return canAdministerSite(ctx.actor, siteId, ctx.directory);
}

export async function requireImportSite(ctx: Ctx, code: string): Promise<Site> {
  const site = await requireSiteByCode(ctx, code);
  if (!canImport(ctx, site.id)) throw new AppError('FORBIDDEN');
  return site;
}

function importer(ctx: Ctx) {
  if (!ctx.importer) throw new Error('import port not configured');
  return ctx.importer;
}

/** Paths given to the API resolve inside IMPORT_DIR (no `..`, no absolute path elsewhere); operators are trusted. */
export function resolveImportPath(ctx: Ctx, path: string, field: string): string {
  const dir = importer(ctx).importDir;
  if (ctx.actor.kind === 'system') return resolve(path);
  const full = resolve(dir, path);
  const rel = relative(dir, full);
  if (rel.startsWith('..') || isAbsolute(rel)) throw new AppError('IMPORT_PATH_OUTSIDE', undefined, { field });
  return full;
}

type SourceOptions = {
  source: string[];
  system?: SourceSystem | null;
  files?: string | null;
  baseUrls?: string[] | null;
  into?: string | null;
  map?: Record<string, string> | null;
  /** The legacy site within its system: the run's label (identity is system + scope + source id). */
  scope?: string | null;
};

/** "The same source" across re-runs: the label given, else the source's file or folder name. */
function defaultLabel(source: string[]): string {
  return source[0]!.split('/').filter(Boolean).pop() ?? 'import';
}

/**
 * New items' slugs, decided the same way wherever they are needed (the links rewritten in bodies, the items
 * written): the legacy slug when the source has a readable one (WordPress post_name, a DedeCMS page name) and no
 * other record of the run wants it in the same column (`clashes`), else the slug from the legacy id; and when an
 * item that is not this very record — an editor's, another legacy site's with the same ids (two township DedeCMS
 * sites folded into one portal column, 2017 §2), another record of this source — already holds it in that
 * column, the next of: the id slug, the id slug with the source's label. One statement per batch.
 */
async function newSlugs(
  em: EntityManager,
  siteId: string,
  run: { sourceSystem: string; label: string },
  wants: { columnId: string; colSourceId?: string | null; sourceId: string; legacySlug?: string | null }[],
  clashes: Set<string>,
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (!wants.length) return out;
  const base = wants.map((w) => {
    const legacy = legacySlug(w.legacySlug);
    const id = slugFor(w.sourceId);
    const first = legacy && !clashes.has(`${w.colSourceId ?? ''}|${legacy}`) ? legacy : id;
    return { ...w, options: [...new Set([first, id, slugWithLabel(id, run.label)])] };
  });
  const taken = await em.execute<{ column_id: string; slug: string; source_id: string | null; own: boolean }[]>(
    `select column_id, slug, source_id,
            (coalesce(source_system, '') = ? and coalesce(source_scope, '') = ?) as own
       from item where site_id = ? and column_id in (?) and slug in (?)`,
    [
      run.sourceSystem,
      run.label,
      siteId,
      [...new Set(base.map((b) => b.columnId))],
      [...new Set(base.flatMap((b) => b.options))],
    ],
  );
  const held = new Map(taken.map((t) => [`${t.column_id}/${t.slug}`, t]));
  const used = new Set<string>();
  for (const b of base) {
    const free = (o: string) => {
      const k = `${b.columnId}/${o}`;
      const h = held.get(k);
      return !used.has(k) && (!h || (h.own && h.source_id === b.sourceId));
    };
    const slug = b.options.find(free) ?? b.options.at(-1)!;
    used.add(`${b.columnId}/${slug}`);
    out.set(b.sourceId, slug);
  }
  return out;
}

/**
 * Legacy slugs more than one record of the run wants in the same legacy column (`<column source id>|<slug>`):
 * none of them gets it (each takes its id slug), so the choice does not depend on which batch comes first.
 */
async function legacySlugClashes(ctx: Ctx, runId: string): Promise<Set<string>> {
  // slug_key is written at staging (migration 0028): a plain column, no parse of every staged payload.
  const rows = await ctx.em.execute<{ slug_key: string }[]>(
    `select slug_key from import_record where run_id = ? and kind = 'ITEM' and slug_key is not null
      group by 1 having count(*) > 1`,
    [runId],
  );
  return new Set(
    rows.flatMap((r) => {
      const cut = r.slug_key.indexOf('|');
      const s = legacySlug(r.slug_key.slice(cut + 1));
      return s ? [`${r.slug_key.slice(0, cut)}|${s}`] : [];
    }),
  );
}

async function openRunSource(ctx: Ctx, o: SourceOptions): Promise<ImportSource> {
  try {
    return await importer(ctx).open(o.source, { system: o.system ?? null, baseUrls: o.baseUrls ?? [] });
  } catch (e) {
    if (e instanceof AppError) throw e;
    const code = (e as { code?: string }).code;
    throw new AppError('IMPORT_SOURCE_UNREADABLE', `${code ? `${code}: ` : ''}${(e as Error).message}`, {
      field: 'source',
      details: { code: code ?? null },
    });
  }
}

async function openRunFiles(ctx: Ctx, o: SourceOptions, source: ImportSource): Promise<LegacyFileStore | null> {
  // A static snapshot (a wget mirror, its zip) holds the old site's files itself: without --files, it is the store.
  const files = o.files ?? (source.system === 'static' && o.source.length === 1 ? o.source[0]! : null);
  if (!files) return null;
  try {
    return await importer(ctx).openFiles(files, { baseUrls: baseUrlsOf(o, source) });
  } catch (e) {
    throw new AppError('IMPORT_SOURCE_UNREADABLE', `files: ${(e as Error).message}`, { field: 'files' });
  }
}

const baseUrlsOf = (o: SourceOptions, s: ImportSource) => [...(o.baseUrls ?? []), ...(s.baseUrl ? [s.baseUrl] : [])];
const hostsOf = (urls: string[]) =>
  urls.flatMap((u) => {
    try {
      return [new URL(u).hostname.toLowerCase()];
    } catch {
      return [];
    }
  });

/** The files an item refers to: thumbnail, attachments, and the old site's files in its body. */
function itemFileRefs(item: LegacyItem, hosts: string[], bodyFiles = bodyLinks(item.bodyHtml).files): string[] {
  const refs = [
    ...(item.thumbnail ? [item.thumbnail.url] : []),
    ...(item.attachments ?? []).map((a) => a.url),
    ...bodyFiles.filter((u) => isOwnUrl(u, hosts)),
  ];
  return [...new Set(refs)];
}

export interface ImportPlan {
  system: string;
  siteName: string | null;
  baseUrl: string | null;
  encodings: { encoding: string; where: string; how: string }[];
  columns: (ColumnDecision & { items: number })[];
  counts: {
    columns: number;
    items: number;
    files: number;
    toImport: number;
    byKind: Record<string, number>;
    byStatus: Record<string, number>;
    skippedByReason: Record<string, number>;
    warnings: number;
    referencedFiles: number;
    missingFiles: number;
    duplicateTitles: number;
    itemsWithoutColumn: number;
  };
  skipped: { sourceId: string; what: string; reason: string; title: string | null }[];
  warnings: { code: string; message: string; sourceId: string | null }[];
  missingFiles: { url: string; sourceId: string }[];
  duplicateTitles: { title: string; sourceIds: string[] }[];
  /** No `--files` given: files referenced cannot be brought over (they are listed as missing). */
  filesGiven: boolean;
}

/** The key duplicate titles are found by (bounded size per item, in memory or in import_record.title_key). */
const titleKey = (title: string) => createHash('sha1').update(title.trim()).digest('base64').slice(0, 16);
const bump = (o: Record<string, number>, k: string) => {
  o[k] = (o[k] ?? 0) + 1;
};

/** Reads the whole source once and says what an import would do; writes nothing. */
/**
 * A copy of a string that shares no memory with the one given. Parsers hand out substrings of their read
 * buffers (V8 sliced strings), and keeping one in a map for the whole run keeps its 64 KB chunk alive with it:
 * memory grows with the export instead of staying flat (issue 11).
 */
const own = (s: string): string => Buffer.from(s, 'utf8').toString('utf8');
/** The same for a small value kept in the plan (its lists, its columns): fresh strings throughout. */
const detach = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

async function computePlan(ctx: Ctx, site: Site, o: SourceOptions, staging?: Stager): Promise<ImportPlan> {
  const source = await openRunSource(ctx, o);
  staging?.open(source.system);
  const store = await openRunFiles(ctx, o, source);
  try {
    const hosts = hostsOf(baseUrlsOf(o, source));
    const plan: ImportPlan = {
      system: source.system,
      siteName: source.siteName ? own(source.siteName) : null,
      baseUrl: source.baseUrl ? own(source.baseUrl) : null,
      encodings: [],
      columns: [],
      counts: {
        columns: 0,
        items: 0,
        files: 0,
        toImport: 0,
        byKind: {},
        byStatus: {},
        skippedByReason: {},
        warnings: 0,
        referencedFiles: 0,
        missingFiles: 0,
        duplicateTitles: 0,
        itemsWithoutColumn: 0,
      },
      skipped: [],
      warnings: [],
      missingFiles: [],
      duplicateTitles: [],
      filesGiven: !!store,
    };
    const legacyColumns: { sourceId: string; parentSourceId?: string | null; name: string; slug?: string | null }[] =
      [];
    const perColumn: Record<string, number> = {};
    // Titles by hash (bounded memory per item); a second sighting is a duplicate.
    const titles = new Map<string, string>();
    const dups = new Map<string, string[]>();
    const checked = new Map<string, boolean>();
    const warn = (w: { code: string; message: string; sourceId?: string | null }) => {
      plan.counts.warnings += 1;
      if (plan.warnings.length < LIST_CAP) plan.warnings.push(detach({ ...w, sourceId: w.sourceId ?? null }));
    };
    const skip = (s: { sourceId: string; what: string; reason: string; title?: string | null }) => {
      bump(plan.counts.skippedByReason, s.reason);
      if (plan.skipped.length < LIST_CAP) plan.skipped.push(detach({ ...s, title: s.title ?? null }));
    };
    for await (const ev of source.read() as AsyncIterable<ImportEvent>) {
      await staging?.push(ev);
      if (ev.type === 'encoding') {
        if (plan.encodings.length < LIST_CAP)
          plan.encodings.push(detach({ encoding: ev.encoding, where: ev.where, how: ev.how }));
      } else if (ev.type === 'column') {
        plan.counts.columns += 1;
        legacyColumns.push(detach(ev.column));
      } else if (ev.type === 'file') plan.counts.files += 1;
      else if (ev.type === 'skipped') skip(ev);
      else if (ev.type === 'warning') warn(ev.warning);
      else {
        const it = ev.item;
        plan.counts.items += 1;
        bump(plan.counts.byKind, it.kind);
        bump(plan.counts.byStatus, it.status);
        if (it.status !== 'published') {
          skip({ sourceId: it.sourceId, what: it.kind, reason: it.status.toUpperCase(), title: it.title });
          continue;
        }
        plan.counts.toImport += 1;
        const col = it.columnSourceIds[0];
        if (col) bump(perColumn, col);
        else plan.counts.itemsWithoutColumn += 1;
        // A committed run's duplicates are asked of its staged records at the end (nothing kept here per item).
        const tk = staging ? null : titleKey(it.title);
        const first = tk === null ? undefined : titles.get(tk);
        if (tk !== null && first === undefined) titles.set(tk, own(it.sourceId));
        else if (tk !== null && first !== undefined) {
          const list = dups.get(tk) ?? [first];
          if (list.length === 1) plan.counts.duplicateTitles += 1;
          if (list.length < 10) list.push(own(it.sourceId));
          if (dups.size < 100 || dups.has(tk)) dups.set(tk, list);
          if (plan.duplicateTitles.length < 100 && list.length === 2)
            plan.duplicateTitles.push({ title: own(it.title.trim()), sourceIds: list });
        }
        if (it.flaggedForReview)
          warn({
            code: 'FLAGGED_FOR_REVIEW',
            message: 'recovered by a lenient parser: check it',
            sourceId: it.sourceId,
          });
        for (const url of itemFileRefs(it, hosts)) {
          plan.counts.referencedFiles += 1;
          let found = checked.get(url);
          if (found === undefined) {
            found = store ? !!(await store.find(url)) : false;
            if (checked.size < 50_000) checked.set(own(url), found);
          }
          if (!found) {
            plan.counts.missingFiles += 1;
            if (plan.missingFiles.length < LIST_CAP) plan.missingFiles.push(detach({ url, sourceId: it.sourceId }));
          }
        }
      }
    }
    if (staging) {
      const d = await staging.duplicateTitles(100);
      plan.counts.duplicateTitles = d.total;
      plan.duplicateTitles = d.list;
    }
    const siteColumns = await ctx.em.find(Column, { siteId: site.id });
    plan.columns = decideColumns(legacyColumns, siteColumns, {
      system: source.system,
      scope: o.scope ?? null,
      into: o.into ?? null,
      map: o.map ?? {},
    }).map((d) => ({ ...d, items: perColumn[d.sourceId] ?? 0 }));
    const unknownMap = Object.entries(o.map ?? {}).filter(
      ([, to]) => to !== 'create' && !siteColumns.some((c) => c.path === to.replace(/\/+$/, '')),
    );
    for (const [from, to] of unknownMap)
      warn({ code: 'MAP_TARGET_UNKNOWN', message: `--map ${from} → ${to}: no such column; a new one is created` });
    return plan;
  } finally {
    await store?.close();
  }
}

/** The dry run: what an import of this source into this site would do. Nothing is written. */
export async function planImport(ctx: Ctx, raw: PlanImportInput): Promise<ImportPlan> {
  const input = parseInput(planInput, raw);
  const site = await requireImportSite(ctx, input.site);
  const o = {
    ...input,
    scope: defaultLabel(input.source),
    ...(await sourcePaths(ctx, site, input)),
  };
  if (o.into) await requireIntoColumn(ctx, site, o.into);
  return withLocalUploads(ctx, site.id, o, (local) => computePlan(ctx, site, local));
}

/** Paths inside IMPORT_DIR, or references to exports uploaded to this site (import-upload.ts). */
async function sourcePaths(
  ctx: Ctx,
  site: Site,
  input: { source: string[]; files?: string | null },
): Promise<{ source: string[]; files: string | null }> {
  const one = (p: string, field: string) =>
    isUploadRef(p) ? requireUpload(ctx, site.id, p, field) : Promise.resolve(resolveImportPath(ctx, p, field));
  const source: string[] = [];
  for (const p of input.source) source.push(await one(p, 'source'));
  return { source, files: input.files ? await one(input.files, 'files') : null };
}

/** Runs `fn` with the uploads of `o` copied to a work directory of this process, removed afterwards. */
async function withLocalUploads<O extends SourceOptions, T>(
  ctx: Ctx,
  siteId: string,
  o: O,
  fn: (local: O) => Promise<T>,
): Promise<T> {
  if (!hasUploads(o)) return fn(o);
  const work = await importer(ctx).uploads.workDir();
  try {
    return await fn(await localUploads(ctx, siteId, o, work.path));
  } finally {
    await work.remove();
  }
}

async function requireIntoColumn(ctx: Ctx, site: Site, path: string): Promise<Column> {
  const c = await ctx.em.findOne(Column, { siteId: site.id, path });
  if (!c) throw new AppError('NOT_FOUND', `No column ${path} in ${site.code}`, { field: 'into' });
  return c;
}

/** Creates a run and asks the worker to carry it out (plan, then stage and apply unless commit is false). */
export async function startImport(
  ctx: Ctx,
  raw: StartImportInput,
  /** The CLI runs the run itself (with its progress bar) instead of handing it to the worker. */
  opts: { enqueue?: boolean } = {},
): Promise<ImportRun> {
  const input = parseInput(startInput, raw);
  const site = await requireImportSite(ctx, input.site);
  assertWritable(site);
  const { source, files } = await sourcePaths(ctx, site, input);
  if (input.into) await requireIntoColumn(ctx, site, input.into);
  const now = ctx.now();
  const who = actorLabel(ctx.actor);
  const label = input.label ?? defaultLabel(source);
  const run = await ctx.em.transactional(async (tx) => {
    // The uploads it names stay until this run is committed (a purge in between would delete them under it).
    await holdUploads(tx, site.id, { source, files });
    const r = tx.create(ImportRun, {
      id: randomUUID(),
      siteId: site.id,
      legacySiteId: input.legacySiteId ?? null,
      // Known once the source is opened; the user may name it.
      sourceSystem: input.system ?? 'bundle',
      label,
      options: {
        source,
        files,
        system: input.system ?? null,
        into: input.into ?? null,
        map: input.map ?? {},
        baseUrls: input.baseUrls ?? [],
        commit: input.commit ?? true,
      },
      state: 'PLANNING',
      report: null,
      staged: 0,
      applied: 0,
      total: null,
      batches: 0,
      counts: {},
      contentHash: null,
      error: null,
      startedBy: ctx.actor.kind === 'user' ? ctx.actor.userId : null,
      startedByName: who.name,
      createdAt: now,
      updatedAt: now,
      finishedAt: null,
      publishedAt: null,
    });
    await tx.flush();
    await appendAudit(tx, ctx, {
      siteId: site.id,
      action: 'import.start',
      targetType: 'ImportRun',
      targetId: r.id,
      changes: { label, source, files, into: input.into ?? null, commit: input.commit ?? true },
    });
    return r;
  });
  if (opts.enqueue !== false) await ctx.jobs?.runImport?.(run.id);
  return run;
}

/**
 * A planned run (commit: false) goes ahead: the worker stages and applies it. Decided on the run's row held FOR
 * UPDATE, so a cancel — or the purge job expiring a plan left uncommitted past IMPORT_UPLOAD_RETENTION_DAYS
 * (import-upload-retention.ts) — either comes first and is refused here, or waits and sees a committed run.
 */
export async function commitImport(ctx: Ctx, id: string): Promise<ImportRun> {
  const run = await requireRun(ctx, id);
  // The site's editors and reviewers see its runs, because they sign them (2015 §12: 三审); putting a run into the
  // site is the importers' (a site admin, or the site's IMPORT token), as starting and cancelling one are.
  if (!canImport(ctx, run.siteId)) throw new AppError('FORBIDDEN');
  await ctx.em.transactional(async (tx) => {
    const [locked] = await tx.execute<{ state: ImportState; error: string | null }[]>(
      'select state, error from import_run where id = ? for update',
      [run.id],
    );
    const state = locked?.state ?? run.state;
    if (state !== 'PLANNED')
      // An expired plan says why (its uploads may be gone): the caller plans again rather than meet a missing file.
      throw new AppError(
        'INVALID_IMPORT_STATE',
        `The run is ${state}, not PLANNED${state === 'CANCELLED' && locked?.error ? `: ${locked.error}` : ''}`,
        { details: { state } },
      );
    run.options = { ...run.options, commit: true };
    run.updatedAt = ctx.now();
    tx.persist(run);
    await tx.flush();
    await appendAudit(tx, ctx, {
      siteId: run.siteId,
      action: 'import.commit',
      targetType: 'ImportRun',
      targetId: run.id,
    });
  });
  await ctx.jobs?.runImport?.(run.id);
  return run;
}

export async function requireRun(ctx: Ctx, id: string): Promise<ImportRun> {
  const run = /^[0-9a-f-]{36}$/i.test(id) ? await ctx.em.findOne(ImportRun, { id }) : null;
  if (!run || !canImportOrReview(ctx, run.siteId)) throw new AppError('NOT_FOUND', 'Import run not found');
  return run;
}

/** Importers, and the people who sign runs (the site's editors, reviewers and approvers), see runs. */
function canImportOrReview(ctx: Ctx, siteId: string): boolean {
  if (canImport(ctx, siteId)) return true;
  return ctx.actor.kind === 'user' && ctx.actor.memberships.some((m) => m.siteId === siteId);
}

export async function importRun(ctx: Ctx, id: string): Promise<ImportRun | null> {
  try {
    return await requireRun(ctx, id);
  } catch (e) {
    if (e instanceof AppError && e.kind === 'NOT_FOUND') return null;
    throw e;
  }
}

export async function listImportRuns(ctx: Ctx, siteCode: string): Promise<ImportRun[]> {
  const site = await requireSiteByCode(ctx, siteCode);
  if (!canImportOrReview(ctx, site.id)) throw new AppError('FORBIDDEN');
  return ctx.em.find(ImportRun, { siteId: site.id }, { orderBy: { createdAt: 'desc' }, limit: 200 });
}

export async function importSignOffs(ctx: Ctx, runIds: string[]): Promise<ImportSignOff[]> {
  if (!runIds.length) return [];
  return ctx.em.find(ImportSignOff, { runId: { $in: runIds } }, { orderBy: { level: 'asc' } });
}

/**
 * Stops a run: the worker stops at its next batch; nothing of it was public, its drafts stay drafts. Decided on the
 * run's row held FOR UPDATE: the worker's state changes (setState) and batches (their progress update) wait for the
 * cancel and then find the run CANCELLED, or the cancel waits for them and decides on the state they left — a run
 * that became final meanwhile (published by a level-3 signature, failed) is refused, not overwritten.
 */
export async function cancelImport(ctx: Ctx, id: string): Promise<ImportRun> {
  const run = await requireRun(ctx, id);
  if (!canImport(ctx, run.siteId)) throw new AppError('FORBIDDEN');
  const cancelled = await ctx.em.transactional(async (tx) => {
    const [locked] = await tx.execute<{ state: ImportState }[]>(
      'select state from import_run where id = ? for update',
      [run.id],
    );
    const from = locked?.state ?? run.state;
    if (finalImportStates.includes(from)) throw new AppError('INVALID_IMPORT_STATE', `The run is ${from}`);
    const now = ctx.now();
    await tx.execute("update import_run set state = 'CANCELLED', finished_at = ?, updated_at = ? where id = ?", [
      now,
      now,
      run.id,
    ]);
    Object.assign(run, { state: 'CANCELLED', finishedAt: now, updatedAt: now });
    await appendAudit(tx, ctx, {
      siteId: run.siteId,
      action: 'import.cancel',
      targetType: 'ImportRun',
      targetId: run.id,
      changes: { state: [from, 'CANCELLED'] },
    });
    return run;
  });
  // Its uploads go now unless another unfinished run needs them (import-upload-retention.ts).
  await releaseRunUploads(ctx, cancelled);
  return cancelled;
}

// ——— running a run (the worker's job; the CLI runs the same function in its own process) ———

/** Runs a worker must carry on after a restart (their job may have died with the previous process). */
export async function unfinishedImportRuns(ctx: Ctx): Promise<string[]> {
  await ctx.directory.fresh();
  const runs = await ctx.em.find(
    ImportRun,
    { state: { $in: ['PLANNING', 'STAGING', 'STAGED', 'APPLYING'] } },
    { fields: ['id'], orderBy: { createdAt: 'asc' } },
  );
  return runs.map((r) => r.id);
}

export interface RunHooks {
  onProgress?(p: { state: ImportState; staged: number; applied: number; total: number | null }): void;
  /** Tests: stop (as if the worker died) after this many committed batches. */
  stopAfterBatches?: number;
  batchSize?: number;
  /** Records per staged batch (default STAGE_BATCH): tests make several batches of a small export. */
  stageBatchSize?: number;
  /** Applied items before the item statistics are first refreshed (default ANALYSE_FIRST): tests of a small export. */
  analyseFirst?: number;
}

/** Where a run ends: nothing reads its source any more. */
export const finalImportStates: readonly ImportState[] = ['PUBLISHED', 'CANCELLED', 'FAILED'];

/** Ends a run's job early (a test's stop, a cancel seen): the run stays where it is, resumable or final. */
class StopSignal extends Error {}

/**
 * The worker moves a run on only while it is not final: a cancel committed meanwhile (cancelImport holds the row
 * FOR UPDATE) is never overwritten — the update re-reads the row once the cancel's lock is released and matches
 * nothing. Then the worker stops, as it does when it sees the cancel between batches (StopSignal).
 */
const setState = async (ctx: Ctx, run: ImportRun, state: ImportState, extra: Partial<ImportRun> = {}) => {
  const moved = await ctx.em.nativeUpdate(
    ImportRun,
    { id: run.id, state: { $nin: [...finalImportStates] } },
    { state, updatedAt: ctx.now(), ...extra },
  );
  if (!moved) throw new StopSignal();
  Object.assign(run, { state, ...extra });
};

/** Inside a batch's transaction: the run's row, locked, unless the run became final (cancelled) meanwhile. */
const RUN_GOES_ON = "state not in ('PUBLISHED', 'CANCELLED', 'FAILED')";

/**
 * First in a transaction that writes for the run outside its batches (its columns, which are visible on the site):
 * holds the run's row against a cancel until it commits, or stops the worker if a cancel came first.
 */
async function holdRunGoing(tx: EntityManager, runId: string): Promise<void> {
  const [row] = await tx.execute<{ id: string }[]>(
    `select id from import_run where id = ? and ${RUN_GOES_ON} for share`,
    [runId],
  );
  if (!row) throw new StopSignal();
}

async function isCancelled(ctx: Ctx, id: string): Promise<boolean> {
  const [row] = await ctx.em.execute<{ state: string }[]>('select state from import_run where id = ?', [id]);
  return row?.state === 'CANCELLED';
}

/**
 * Carries a run forward from wherever it stands: PLANNING → PLANNED (→ STAGING → STAGED → APPLYING → IN_REVIEW).
 * Every step can be interrupted and run again: staging inserts each record once (its key), applying takes the
 * records not applied yet, a batch per transaction. Returns the state it reached ('STOPPED' when told to stop).
 */
export async function runImport(ctx: Ctx, runId: string, hooks: RunHooks = {}): Promise<ImportState | 'STOPPED'> {
  await ctx.directory.fresh();
  const run = await ctx.em.findOne(ImportRun, { id: runId });
  if (!run) throw new AppError('NOT_FOUND', 'Import run not found');
  // A final run is not run again (a job retried after a cancel): its uploads may already be gone.
  if (finalImportStates.includes(run.state)) return run.state;
  const site = await requireSiteById(ctx, run.siteId);
  let o = { ...(run.options as unknown as SourceOptions & { commit: boolean }), scope: run.label };
  // Exports uploaded through the API: copied from the object storage into a work directory of this run's process.
  const work = hasUploads(o) ? await importer(ctx).uploads.workDir() : null;
  try {
    if (work) o = await localUploads(ctx, run.siteId, o, work.path);
    if (run.state === 'PLANNING') {
      // A run committed from the start (the CLI without --plan, startImport with commit) stages in the plan's
      // read: the source is read and parsed once, not twice (issue 11: throughput). Interrupted, the run is
      // still PLANNING and does it again; records already staged are skipped by their key.
      const staging = o.commit ? stager(ctx, run, hooks) : undefined;
      const plan = await computePlan(ctx, site, o, staging);
      await setState(ctx, run, 'PLANNED', {
        report: plan as unknown as Record<string, unknown>,
        sourceSystem: plan.system,
      });
      await ctx.em.transactional((tx) =>
        appendAudit(tx, ctx, {
          siteId: run.siteId,
          action: 'import.plan',
          targetType: 'ImportRun',
          targetId: run.id,
          changes: { counts: plan.counts },
        }),
      );
      await staging?.finish();
    }
    if (run.state === 'PLANNED' && !o.commit) return 'PLANNED';
    if (run.state === 'PLANNED' || run.state === 'STAGING') await stage(ctx, run, o, hooks);
    if (run.state === 'STAGED' || run.state === 'APPLYING') {
      const done = await apply(ctx, run, site, o, hooks);
      if (done === 'STOPPED') return 'STOPPED';
    }
    return run.state;
  } catch (e) {
    if (e instanceof StopSignal) return 'STOPPED';
    // A source that cannot be read fails the run (with the reason); anything else is retried by the job.
    if (e instanceof AppError && e.reason === 'IMPORT_SOURCE_UNREADABLE') {
      // Cancelled meanwhile (its uploads released under this job), even after this check (setState then stops): it stays cancelled.
      if (await isCancelled(ctx, run.id)) return 'CANCELLED';
      try {
        await setState(ctx, run, 'FAILED', { error: e.message, finishedAt: ctx.now() });
      } catch (stop) {
        if (stop instanceof StopSignal) return 'CANCELLED';
        throw stop;
      }
      await releaseRunUploads(ctx, run);
      return 'FAILED';
    }
    throw e;
  } finally {
    await work?.remove();
  }
}

const STAGE_BATCH = 250;
/** Batches written side by side, each its own transaction: staged ones (the stager) and applied ones (apply). */
const WRITES_IN_FLIGHT = 2;
/** Applied batches prepared side by side, ahead of the writes (apply). */
const PREPARES_IN_FLIGHT = 3;
/** Code-unit order, as PostgreSQL's "C" collation and a unique index's equality see it. */
const byKey = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
/** PostgreSQL's wire protocol counts a statement's parameters in 16 bits. */
const MAX_PARAMETERS = 65_535;
/** The bound columns of a staged record (seq, kind, source id, hash, payload, outcome, owner, slug key, title key). */
const STAGED_COLUMNS = ['integer', 'text', 'text', 'text', 'json', 'text', 'text', 'text', 'text'] as const;
/** The bound columns of an imported item's first revision, in the order writeBatch pushes them. */
const REVISION_COLUMNS = ['uuid', 'uuid', 'jsonb', 'text', 'text', 'text'] as const;
/**
 * `($first::t1, $first+1::t2, …), (…)` for `rows` rows of `types.length` bound values each: a multi-row VALUES list
 * whose long values (bodies, payloads) reach their column's input function once, as plain parameters.
 */
function valueRows(rows: number, first: number, types: readonly string[]): string {
  const out: string[] = [];
  let n = first;
  for (let r = 0; r < rows; r++) out.push(`(${types.map((t) => `$${n++}::${t}`).join(', ')})`);
  return out.join(', ');
}
/**
 * Import transactions (staging and applying batches) do not wait for their WAL flush (issue 11: throughput).
 * Safe here: a crash of PostgreSQL loses at most the last few hundred milliseconds of commits, never half of
 * one, and the resumable job re-does whatever is not there (staging skips records it has, applying takes the
 * records without an outcome). The publication (signImportRun) keeps the normal, durable commit.
 */
const FAST_COMMIT = 'set local synchronous_commit = off';
/**
 * A statement with real bind parameters ($1, $2…) on the transaction's own connection (so under its row-level
 * security settings). The ORM's `execute` inlines every parameter into the statement text: a batch's JSON went as a
 * hex literal twice its size, plus the statement's copy of it and the wire buffer's — ~20 MB of transient strings
 * per applied batch, a third of the import's peak heap (issue 11: peak RSS), and CPU to encode and decode them.
 * Here each value is a parameter of its own. The compiled query is Kysely's raw form, as the ORM itself builds it.
 */
async function bound(tx: EntityManager, sql: string, parameters: unknown[]): Promise<void> {
  if (parameters.length > MAX_PARAMETERS) throw new Error(`${parameters.length} bound parameters in one statement`);
  const query = { kind: 'RawNode', sqlFragments: [sql], parameters: [] };
  await tx.getKysely().executeQuery({ sql, parameters, query, queryId: { queryId: 'zq-import' } } as never);
}
/**
 * A staged record's payload as canonical JSON in UTF-8 (bound in binary format from `arena`: see ByteArena), and its
 * hash: the text hashed is the text stored.
 */
const canonicalPayload = (v: unknown, arena: ByteArena): [json: Buffer, hash: string] => {
  const json = arena.text(canonicalJson(v));
  return [json, createHash('sha256').update(json).digest('hex')];
};

/**
 * kind, source id, content hash, payload (an object, or its canonical JSON's bytes when that was hashed), outcome; for a
 * listed file the source id of its item, for an item its slug key (`<legacy column id>|<lower-case legacy slug>`)
 * and title key.
 */
type StagedRow = [
  string,
  string,
  string | null,
  Record<string, unknown> | Buffer | null,
  string | null,
  string | null,
  string | null,
  string | null,
];

/**
 * The staging statement for `rows` records (nine bound values each, STAGED_COLUMNS, from $6) and their old paths
 * ($4, $5). As an upsert, a record already staged under its key keeps its first copy (the lower seq, whichever of two
 * batches in flight commits first) and a path already claimed keeps its first owner; otherwise a key met twice fails
 * the statement with a unique violation. A full batch's text (`repeats`) is the same every time: prepared once per
 * connection (PREPARED_STATEMENT).
 */
function stagingSql(rows: number, upsert: boolean, repeats: boolean): string {
  return preparedWhen(
    repeats,
    `with p as (
       insert into import_old_path (run_id, path, source_id, site_id)
       select $1::uuid, x.path, x.source_id, $2::uuid from unnest($4::text[], $5::text[]) as x(path, source_id)
       ${upsert ? 'on conflict do nothing' : ''})
     insert into import_record (run_id, seq, site_id, source_system, kind, source_id, content_hash, payload, outcome,
                                owner_source_id, slug_key, title_key)
     select $1::uuid, x.seq, $2::uuid, $3::text, x.kind, x.source_id, x.content_hash, x.payload, x.outcome, x.owner,
            x.slug_key, x.title_key
       from (values ${valueRows(rows, 6, STAGED_COLUMNS)})
            as x(seq, kind, source_id, content_hash, payload, outcome, owner, slug_key, title_key)
     ${
       upsert
         ? `on conflict (run_id, kind, source_id) do update
        set seq = excluded.seq, content_hash = excluded.content_hash, payload = excluded.payload,
            outcome = excluded.outcome, owner_source_id = excluded.owner_source_id, slug_key = excluded.slug_key,
            title_key = excluded.title_key
      where import_record.seq > excluded.seq`
         : ''
     }`,
  );
}
/**
 * Writes legacy records into import_record (kind, source id, hash, payload) in multi-row inserts of
 * STAGE_BATCH; `push` takes the source's events in order, `finish` writes the tail and marks the run STAGED.
 * Holds one batch at a time.
 */
function stager(ctx: Ctx, run: ImportRun, hooks: RunHooks) {
  let seq = 0;
  let system: string | null = null;
  let rows: StagedRow[] = [];
  // The payloads' bytes of the batch being read, and of the batches being written (ByteArena).
  const arenas = new ByteArenas();
  let arena = arenas.take();
  // The old paths of the batch's items (import_old_path: the links between items are found by them, migration 0028).
  let oldPaths: string[] = [];
  let oldPathOwners: string[] = [];
  // The batches being written while the source's next batch is read (issue 11: the read is CPU on this process
  // and its reading thread, the write one PostgreSQL backend's; one write at a time left PostgreSQL the critical
  // path). At most WRITES_IN_FLIGHT, each a transaction of its own.
  const writing: Promise<void>[] = [];
  // Plain inserts until a key is found staged already: a resumed run's records, a record the export has twice, or an
  // old path two items claim. From then on the batches insert or keep the first copy (ON CONFLICT). A fresh run
  // rarely meets one, and a speculative insertion — the unique index probed before the row goes in, and confirmed
  // after — was a seventh of the staging statement's time in PostgreSQL (issue 11: throughput; ADR 0015).
  let keyed = run.staged > 0;
  const write = async (values: unknown[], upTo: number, paths: string[], owners: string[]) => {
    // One transaction per batch, committed without waiting for the WAL flush: a tail lost to a PostgreSQL crash
    // is staged again when the job resumes (the inserts skip records and paths already there by their key).
    const attempt = (upsert: boolean) =>
      ctx.em.transactional(async (tx) => {
        await tx.execute(FAST_COMMIT);
        const rows = values.length / STAGED_COLUMNS.length;
        await bound(tx, stagingSql(rows, upsert, rows === (hooks.stageBatchSize ?? STAGE_BATCH)), [
          run.id,
          run.siteId,
          system,
          paths,
          owners,
          ...values,
        ]);
        // A batch committed after a cancel would stage into a cancelled run: the row is locked and checked here.
        const [goes] = await tx.execute<{ id: string }[]>(
          `update import_run set staged = greatest(staged, ?), updated_at = ? where id = ? and ${RUN_GOES_ON} returning id`,
          [upTo, ctx.now(), run.id],
        );
        if (!goes) throw new StopSignal();
      });
    if (keyed) await attempt(true);
    else
      try {
        await attempt(false);
      } catch (e) {
        // The batch rolled back whole; written again as an upsert, and so is every batch after it.
        if (!isUniqueViolation(e)) throw e;
        keyed = true;
        await attempt(true);
      }
    // A cancel committed meanwhile is seen by the next batch's transaction (its update of the run's row).
    hooks.onProgress?.({ state: 'STAGING', staged: upTo, applied: 0, total: null });
  };
  /** Waits for the batches in flight down to `left`, oldest first; a failure (or a cancellation seen) surfaces here. */
  const settle = async (left = 0) => {
    try {
      while (writing.length > left) await writing.shift();
    } catch (e) {
      // The other batch in flight ends (committed or not) before the failure goes up: nothing writes after it.
      await Promise.allSettled(writing.splice(0));
      throw e;
    }
  };
  const flush = async () => {
    if (!rows.length) return;
    // Bound parameters, nine per record (STAGED_COLUMNS): each payload reaches PostgreSQL's json input once, not
    // also as part of one JSON document for the batch.
    // A record the export has twice (same kind and source id) is its first copy, as when batches were written one at
    // a time: the insert keeps the lower seq, whichever of two batches in flight commits first.
    // Rows and paths go in in key order (a stable sort: copies in a batch by seq): two batches in flight that share a
    // key then wait for each other in one order, never in a cycle (a deadlock).
    const values: unknown[] = [];
    const numbered = rows
      .map((r) => [++seq, r] as const)
      .sort(([, a], [, b]) => byKey(a[0], b[0]) || byKey(a[1], b[1]));
    for (const [n, [kind, sourceId, hash, payload, outcome, owner, slugKey, titleKey]] of numbered)
      values.push(
        n,
        kind,
        sourceId,
        hash,
        Buffer.isBuffer(payload) ? payload : payload && JSON.stringify(payload),
        outcome,
        owner,
        slugKey,
        titleKey,
      );
    const order = oldPaths
      .map((_, i) => i)
      .sort((a, b) => byKey(oldPaths[a]!, oldPaths[b]!) || byKey(oldPathOwners[a]!, oldPathOwners[b]!));
    const batchPaths = order.map((i) => oldPaths[i]!);
    const batchOwners = order.map((i) => oldPathOwners[i]!);
    rows = [];
    oldPaths = [];
    oldPathOwners = [];
    await settle(WRITES_IN_FLIGHT - 1);
    const w = write(values, seq, batchPaths, batchOwners);
    // Awaited by a later flush or by finish; until then a failure must not count as unhandled.
    w.catch(() => undefined);
    writing.push(w);
    arenas.giveBack(arena, w);
    arena = arenas.take();
  };
  const paths = (urls: string[] | undefined) => [
    ...new Set((urls ?? []).map(legacyPath).filter((p): p is string => !!p)),
  ];
  return {
    open(sourceSystem: string) {
      system = sourceSystem;
    },
    async push(ev: ImportEvent) {
      if (ev.type === 'column') {
        const c = { ...ev.column, oldUrls: paths(ev.column.oldUrls) };
        const [json, hash] = canonicalPayload(c, arena);
        rows.push(['COLUMN', c.sourceId, hash, json, null, null, null, null]);
      } else if (ev.type === 'item') {
        const it = ev.item;
        if (it.status !== 'published') {
          rows.push([
            'SKIPPED',
            it.sourceId,
            null,
            { title: it.title, reason: it.status.toUpperCase() },
            'SKIPPED',
            null,
            null,
            null,
          ]);
        } else {
          const item = { ...it, oldUrls: paths(it.oldUrls) };
          const slugKey = it.slug ? `${it.columnSourceIds[0] ?? ''}|${it.slug.toLowerCase()}` : null;
          const [json, hash] = canonicalPayload(item, arena);
          rows.push(['ITEM', it.sourceId, hash, json, null, null, slugKey, titleKey(it.title)]);
          for (const p of item.oldUrls) {
            oldPaths.push(p);
            oldPathOwners.push(it.sourceId);
          }
        }
      } else if (ev.type === 'file') {
        const f = ev.file;
        const owner = f.itemSourceId ?? null;
        rows.push(['FILE', f.sourceId, null, f as unknown as Record<string, unknown>, null, owner, null, null]);
      } else if (ev.type === 'skipped') {
        rows.push([
          'SKIPPED',
          ev.sourceId,
          null,
          { title: ev.title ?? null, reason: ev.reason, what: ev.what },
          'SKIPPED',
          null,
          null,
          null,
        ]);
      }
      if (rows.length >= (hooks.stageBatchSize ?? STAGE_BATCH)) await flush();
    },
    /**
     * Titles more than one staged item has (how many, and the first `cap` with up to 10 source ids each, in the
     * export's order): asked of import_record once everything read so far is written.
     */
    async duplicateTitles(cap: number): Promise<{ total: number; list: { title: string; sourceIds: string[] }[] }> {
      await flush();
      await settle();
      const rows = await ctx.em.execute<{ total: number; ids: string[]; title: string | null }[]>(
        `with d as (
           select title_key, (array_agg(source_id order by seq))[1:10] as ids, min(seq) as first
             from import_record where run_id = ? and kind = 'ITEM' and title_key is not null
            group by title_key having count(*) > 1)
         select (select count(*)::int from d) as total, d.ids,
                (select trim(r.payload->>'title') from import_record r
                  where r.run_id = ? and r.kind = 'ITEM' and r.source_id = d.ids[1]) as title
           from d order by d.first limit ?`,
        [run.id, run.id, cap],
      );
      return {
        total: rows[0]?.total ?? 0,
        list: rows.map((r) => ({ title: r.title ?? '', sourceIds: r.ids })),
      };
    },
    async finish() {
      await flush();
      await settle();
      const [{ n } = { n: 0 }] = await ctx.em.execute<{ n: number }[]>(
        "select count(*)::int as n from import_record where run_id = ? and kind = 'ITEM'",
        [run.id],
      );
      await setState(ctx, run, 'STAGED', { total: n, sourceSystem: system ?? undefined });
      await analyseStaging(ctx);
      await ctx.em.transactional((tx) =>
        appendAudit(tx, ctx, {
          siteId: run.siteId,
          action: 'import.stage',
          targetType: 'ImportRun',
          targetId: run.id,
          changes: { records: seq, items: n },
        }),
      );
    },
  };
}
type Stager = ReturnType<typeof stager>;

/**
 * Fresh statistics on the staging tables once a run is staged (migration 0032): the statements that apply the run
 * are planned on them. A run stages its records faster than autovacuum analyses, and planned on statistics that
 * knew nothing of the run, each batch's outcome update rescanned its values once per record. Only the columns the
 * apply's statements filter and join on; a role without MAINTAIN gets a warning from PostgreSQL and no statistics.
 */
async function analyseStaging(ctx: Ctx): Promise<void> {
  await ctx.em.execute('analyze import_record (run_id, kind, source_id, seq, outcome, owner_source_id)');
  await ctx.em.execute('analyze import_old_path');
}

/**
 * Fresh statistics on the item columns the apply looks items up by (migration 0036), while the run adds them: an import
 * grows a site by tens of thousands of items before autovacuum looks, and planned on statistics that knew the site
 * small, each batch's lookups by source key and by slug read every item of the site (17.7 ms a batch at 100,000
 * articles, growing with the run). Analysed after the run's first ANALYSE_FIRST items and again each time the run
 * has doubled: a handful of times in a run of 100,000.
 */
async function analyseItemLookups(ctx: Ctx): Promise<void> {
  await ctx.em.execute('select zq_analyse_item_lookups()');
}
const ANALYSE_FIRST = 2_000;

/** Every legacy record into import_record: a read of its own (a run planned first, committed later). */
async function stage(ctx: Ctx, run: ImportRun, o: SourceOptions, hooks: RunHooks): Promise<void> {
  await setState(ctx, run, 'STAGING');
  const source = await openRunSource(ctx, o);
  const s = stager(ctx, run, hooks);
  s.open(source.system);
  for await (const ev of source.read() as AsyncIterable<ImportEvent>) await s.push(ev);
  await s.finish();
}

type ColumnTarget = { id: string; path: string };

/** Maps or creates the run's columns, all in one transaction (columns are few). */
async function applyColumns(
  ctx: Ctx,
  run: ImportRun,
  site: Site,
  o: SourceOptions,
): Promise<Map<string, ColumnTarget>> {
  const pending = await ctx.em.execute<{ source_id: string; payload: Record<string, unknown> }[]>(
    "select source_id, payload from import_record where run_id = ? and kind = 'COLUMN' and outcome is null order by seq",
    [run.id],
  );
  if (pending.length) {
    await ctx.em.transactional(async (tx) => {
      await holdRunGoing(tx, run.id);
      const siteColumns = await tx.find(Column, { siteId: site.id });
      const byPath = new Map(siteColumns.map((c) => [c.path, c]));
      const legacy = pending.map(
        (p) =>
          p.payload as unknown as {
            sourceId: string;
            parentSourceId?: string;
            name: string;
            slug?: string;
            kind?: 'list' | 'page' | 'link';
            position?: number;
          },
      );
      const decisions = decideColumns(legacy, siteColumns, {
        system: run.sourceSystem,
        scope: run.label,
        into: o.into ?? null,
        map: o.map ?? {},
      });
      const legacyById = new Map(legacy.map((l) => [l.sourceId, l]));
      const now = ctx.now();
      for (const [i, d] of decisions.entries()) {
        let id: string;
        let outcome: 'CREATED' | 'UNCHANGED';
        if (d.action === 'MAP') {
          id = d.columnId;
          outcome = 'UNCHANGED';
        } else {
          const parent = d.parentPath ? byPath.get(d.parentPath) : null;
          // Decisions come parents first (parentsFirst), not in the export's order: the record by its id.
          const l = legacyById.get(d.sourceId)!;
          const c = tx.create(Column, {
            id: randomUUID(),
            siteId: site.id,
            parentId: parent?.id ?? null,
            code: d.code,
            path: d.path,
            name: d.name.slice(0, 100),
            type: l.kind === 'page' ? 'SINGLE_PAGE' : 'LIST',
            updateClass: 'STATIC',
            locked: false,
            visible: true,
            sortOrder: l.position ?? i,
            linkUrl: null,
            createdAt: now,
            updatedAt: now,
            ...newColumnDefaults,
            sourceSystem: run.sourceSystem,
            sourceScope: run.label,
            sourceId: d.sourceId,
          });
          byPath.set(c.path, c);
          await tx.flush();
          id = c.id;
          outcome = 'CREATED';
        }
        await tx.execute(
          "update import_record set column_id = ?, outcome = ? where run_id = ? and kind = 'COLUMN' and source_id = ?",
          [id, outcome, run.id, d.sourceId],
        );
      }
      await appendAudit(tx, ctx, {
        siteId: site.id,
        action: 'import.columns',
        targetType: 'ImportRun',
        targetId: run.id,
        changes: {
          created: decisions.filter((d) => d.action === 'CREATE').map((d) => d.path),
          mapped: decisions
            .filter((d) => d.action === 'MAP')
            .map((d) => `${d.name} → ${d.path}`)
            .slice(0, 100),
        },
      });
    });
  }
  const rows = await ctx.em.execute<{ source_id: string; id: string; path: string }[]>(
    `select r.source_id, c.id, c.path from import_record r join site_column c on c.id = r.column_id
      where r.run_id = ? and r.kind = 'COLUMN'`,
    [run.id],
  );
  return new Map(rows.map((r) => [r.source_id, { id: r.id, path: r.path }]));
}

const DEFAULT_BATCH = 250;
/** jsonb's binary format: a version byte, then the JSON text (a revision's content is bound so, ByteArena). */
const JSONB_VERSION = 1;
const KIND: Record<string, string> = { article: 'ARTICLE', page: 'PAGE', document: 'POLICY_DOCUMENT' };
const isoDate = (v: string | null | undefined) => {
  const m = v ? /^(\d{4})-(\d{2})-(\d{2})/.exec(v) : null;
  return m ? `${m[1]}-${m[2]}-${m[3]}` : null;
};
const clip = (v: string | null | undefined, max: number) => (v ? v.trim().slice(0, max) || null : null);

/**
 * The files each unchanged item lacked when it was last written — its record's FILE_MISSING and FILE_REFUSED warnings
 * in the run that wrote it (`item.import_run_id`): source id → the files' URLs. One read per run among the items.
 */
async function fileGaps(ctx: Ctx, recs: StagedItem[], existing: Map<string, Item>): Promise<Map<string, string[]>> {
  const byRun = new Map<string, string[]>();
  for (const r of recs) {
    const runId = existing.get(r.source_id)?.importRunId;
    if (!runId) continue;
    const ids = byRun.get(runId);
    if (ids) ids.push(r.source_id);
    else byRun.set(runId, [r.source_id]);
  }
  const gaps = new Map<string, string[]>();
  for (const [runId, ids] of byRun) {
    const rows = await ctx.em.execute<{ source_id: string; urls: string[] }[]>(
      `select source_id, array_agg(split_part(w ->> 'message', ': ', 1)) as urls
         from import_record, jsonb_array_elements(warnings) w
        where run_id = ? and kind = 'ITEM' and source_id in (?) and w ->> 'code' in ('FILE_MISSING', 'FILE_REFUSED')
        group by source_id`,
      [runId, ids],
    );
    for (const row of rows) gaps.set(row.source_id, row.urls);
  }
  return gaps;
}

/** Brings one legacy file through the media pipeline (content-addressed: the same bytes are one file). */
async function importFile(ctx: Ctx, site: Site, store: LegacyFileStore, url: string, name?: string | null) {
  const stored = await store.find(url);
  if (!stored) return null;
  const received = await importer(ctx).receive(stored);
  try {
    // The listed name (DedeCMS `uploads.title`, a link's text: "附件1：工作责任分解表") names the download, but the
    // media policy goes by extension: the stored file's own extension is kept on it.
    const own = stored.path.split('/').pop() ?? 'file';
    const ext = /\.[A-Za-z0-9]{1,8}$/.exec(own)?.[0] ?? '';
    const listed = name && !/[/\\]/.test(name) ? name.trim() : null;
    const fileName = listed ? (listed.toLowerCase().endsWith(ext.toLowerCase()) ? listed : `${listed}${ext}`) : own;
    return await uploadMedia(ctx, { site: site.code }, { ...received, name: fileName });
  } catch (e) {
    if (e instanceof AppError) return { refused: `${e.reason}: ${e.message}` } as const;
    throw e;
  } finally {
    await received.cleanup();
  }
}

/** A listed file of an applied item: brought in (CREATED), missing or refused (FAILED), or not looked at. */
type FileOutcome = {
  sourceId: string;
  outcome: 'CREATED' | 'UNCHANGED' | 'SKIPPED' | 'FAILED';
  mediaId: string | null;
  warnings: { code: string; message: string }[];
};
/**
 * Writes what became of listed files onto their staged records, by primary key: `source_id = any($3)` makes the
 * records an index condition (joined on the values alone, planned on statistics older than the run, a hash join
 * read every file record of the run, once per batch). The values are materialised: were the planner still to put
 * them on the inner side of a nested loop, it rescans a list, not the JSON parsed again per record.
 */
async function recordFileOutcomes(tx: EntityManager, runId: string, files: FileOutcome[]): Promise<void> {
  if (!files.length) return;
  // The same text for every batch: prepared once per connection (PREPARED_STATEMENT).
  await bound(
    tx,
    `${PREPARED_STATEMENT}with v as materialized (
       select * from json_to_recordset($2::json) as v(source_id text, outcome text, media_id uuid, warnings jsonb))
     update import_record r set outcome = v.outcome, media_id = v.media_id, warnings = v.warnings
       from v where r.run_id = $1::uuid and r.kind = 'FILE' and r.source_id = any ($3::text[]) and r.source_id = v.source_id`,
    [
      runId,
      JSON.stringify(
        files.map((f) => ({ source_id: f.sourceId, outcome: f.outcome, media_id: f.mediaId, warnings: f.warnings })),
      ),
      files.map((f) => f.sourceId),
    ],
  );
}
/** The run's applied count and total, as a batch's transaction left them. */
type Progress = { applied: number; total: number | null };
/** A staged item's body as apply holds it: its UTF-8 bytes in the batch's arena, and what it links to. */
type LegacyBody = { html: Buffer; urls: string[]; files: string[] };
/** A staged item as apply reads it. */
type StagedItem = { seq: number; source_id: string; content_hash: string; payload: LegacyItem };
/** A batch ready to write: its records' outcomes and writes, its listed files' outcomes, the arena of its bytes. */
type Batch = { prepared: Prepared[]; files: FileOutcome[]; arena: ByteArena };
/** A batch being prepared: its last seq once its records are read (where the next batch starts), then the batch. */
type Preparing = { lastSeq: Promise<number | null>; batch: Promise<Batch | null> };
/** A staged item made ready to write: its outcome, and for a write its column, content and plain text. */
type Prepared = {
  r: StagedItem;
  outcome: 'CREATED' | 'UPDATED' | 'UNCHANGED' | 'FAILED';
  warnings: { code: string; message: string }[];
  itemId?: string;
  prev?: Item;
  col?: ColumnTarget;
  /** For an update, the whole content (the ORM's path); for a create, without its body unless media link to it. */
  content?: ItemContent;
  /** An update's plain text. */
  text?: string;
  /**
   * A create's first revision as bound bytes (the batch's ByteArena): its canonical content (jsonb) and plain text,
   * written when the body comes back from the pool, so no string of the body waits for the batch's write.
   */
  created?: { json: Buffer; hash: string; text: Buffer; linksMedia: boolean };
};

async function apply(
  ctx: Ctx,
  run: ImportRun,
  site: Site,
  o: SourceOptions,
  hooks: RunHooks,
): Promise<'DONE' | 'STOPPED'> {
  await setState(ctx, run, 'APPLYING');
  const columns = await applyColumns(ctx, run, site, o);
  const source = await openRunSource(ctx, o);
  const store = await openRunFiles(ctx, o, source);
  const hosts = hostsOf(baseUrlsOf(o, source));
  const into = o.into ? await ctx.em.findOne(Column, { siteId: site.id, path: o.into }) : null;
  const media = new Map<string, { id: string; sha256: string; kind: string; mediaType: string; name: string } | null>();
  // Files found but refused by the media pipeline (type, size, a broken file): said so, not called missing.
  const refusedFiles = new Map<string, string>();
  const locale = site.locales?.[0] ?? 'zh-CN';
  const size = hooks.batchSize ?? DEFAULT_BATCH;
  const clashes = await legacySlugClashes(ctx, run.id);
  // The revisions' bytes of the batch being prepared and of the batches being written (ByteArena).
  const arenas = new ByteArenas();
  // Bringing files through media, one batch at a time (see prepareRecords).
  let mediaTurns: Promise<unknown> = Promise.resolve();
  const inMediaTurn = <T>(work: () => Promise<T>): Promise<T> => {
    const turn = mediaTurns.then(work);
    mediaTurns = turn.catch(() => undefined);
    return turn;
  };
  /**
   * Does for a batch's records everything that needs no transaction: files through media, links, slugs, sanitised
   * bodies. Runs while earlier batches are written (below).
   */
  const prepareRecords = async (recs: StagedItem[]): Promise<Batch> => {
    const arena = arenas.take();
    // Each body as UTF-8 bytes in the batch's arena, and its links, as soon as the records are read: the strings die
    // young, where they waited for the batch's lookups, files and turn in the pool long enough to be moved to the
    // old space (issue 11; the pool rewrites and sanitises the bytes: import-bodies.ts).
    const legacy = new Map<string, LegacyBody>();
    for (const r of recs) {
      const { urls, files } = bodyLinks(r.payload.bodyHtml);
      legacy.set(r.source_id, { html: arena.text(r.payload.bodyHtml), urls, files });
      r.payload.bodyHtml = '';
    }
    const ids = recs.map((r) => r.source_id);
    // The batch's lookups in two transactions, not one per statement (outside one, each statement is BEGIN, the
    // row-level security scope, the statement and COMMIT: four round trips to a PostgreSQL busy with the writes).
    const [existingItems, listed] = await ctx.em.transactional(async (tx) => [
      await tx.find(Item, {
        siteId: site.id,
        sourceSystem: run.sourceSystem,
        sourceScope: run.label,
        sourceId: { $in: ids },
      }),
      // Plain `=` on the run and the owner: leakproof, so an index scan under row-level security (migration 0028).
      // No condition on `kind` (only listed files have an owner): with it, a run staged after its statistics were
      // taken was read through the primary key's (run, kind) prefix — every file record of the run, once per batch.
      await tx.execute<{ source_id: string; payload: { url: string; name?: string; itemSourceId?: string } }[]>(
        'select source_id, payload from import_record where run_id = ? and owner_source_id in (?)',
        [run.id, ids],
      ),
    ]);
    const existing = new Map(existingItems.map((i) => [i.sourceId!, i]));
    const same = (r: StagedItem) => existing.get(r.source_id)?.sourceHash === r.content_hash;
    // An unchanged item whose files were missing or refused when it was last written (a first run without --files,
    // a file the media policy refused then): those files are tried again, and the item gets a new revision when
    // one of them comes in now — a re-run with the uploads completes an import, where the unchanged item had kept
    // its links to the closed site. Nothing is tried without a store, and an item stays unchanged when none comes.
    const gaps = store ? await fileGaps(ctx, recs.filter(same), existing) : new Map<string, string[]>();
    const retried = new Set<string>();
    const unchanged = (r: StagedItem) => same(r) && !retried.has(r.source_id);
    // Files: every reference found in the uploads goes through media, before the batch's transaction.
    const filesOf = new Map<string, string[]>();
    const listedNames = new Map(listed.map((l) => [l.payload.url, l.payload.name ?? null]));
    // The listed files by their item (a batch has hundreds of items and of files: no scan of one per other).
    const listedOf = new Map<string, typeof listed>();
    for (const l of listed) {
      const owner = l.payload.itemSourceId ?? '';
      const had = listedOf.get(owner);
      if (had) had.push(l);
      else listedOf.set(owner, [l]);
    }
    // One batch at a time brings its files through media (PREPARES_IN_FLIGHT are prepared side by side): a file two
    // batches refer to is brought in once, by the first.
    await inMediaTurn(async () => {
      for (const r of recs) {
        const refs = new Set(itemFileRefs(r.payload, hosts, legacy.get(r.source_id)!.files));
        for (const l of listedOf.get(r.source_id) ?? []) refs.add(l.payload.url);
        filesOf.set(r.source_id, [...refs]);
        const gap = same(r) ? gaps.get(r.source_id) : undefined;
        if (same(r) && !gap) continue;
        // All of a retried item's files: its new revision links to each of them by its media path.
        for (const url of refs) {
          if (media.has(url) || !store) continue;
          const name = r.payload.attachments?.find((a) => a.url === url)?.name ?? listedNames.get(url);
          const m = await importFile(ctx, site, store, url, name);
          if (m && 'refused' in m) refusedFiles.set(url, m.refused);
          media.set(
            url,
            m && !('refused' in m)
              ? { id: m.id, sha256: m.sha256, kind: m.kind, mediaType: m.mediaType, name: m.originalName }
              : null,
          );
          if (media.size > 20_000) media.delete(media.keys().next().value!);
        }
        if (gap?.some((u) => media.get(u))) retried.add(r.source_id);
      }
    });
    // Links to other items of the run: old path → new path.
    const hrefs = [
      ...new Set(
        recs.flatMap((r) =>
          legacy
            .get(r.source_id)!
            .urls.filter((u) => isOwnUrl(u, hosts))
            .map(legacyPath)
            .filter((p): p is string => !!p),
        ),
      ),
    ];
    // Links and slugs: their lookups in one transaction (see above).
    const newPathOf = new Map<string, string>();
    const slugs = await ctx.em.transactional(async (tx) => {
      // The staged items that own those paths (import_old_path, migration 0028: index scans under row-level
      // security). Two statements, each on its primary key: joined in one, a fresh run without statistics got a hash
      // join over every staged record (1.3 s per batch at 5,000 articles).
      const owners = hrefs.length
        ? await tx.execute<{ source_id: string; path: string }[]>(
            'select source_id, path from import_old_path where run_id = ? and path in (?)',
            [run.id, hrefs],
          )
        : [];
      const linkedBy = new Map<
        string,
        { source_id: string; col: string | null; slug: string | null; urls: string[] }
      >();
      if (owners.length) {
        const rows = await tx.execute<{ source_id: string; col: string | null; slug: string | null }[]>(
          `select source_id, payload->'columnSourceIds'->>0 as col, payload->>'slug' as slug
             from import_record where run_id = ? and kind = 'ITEM' and source_id in (?)`,
          [run.id, [...new Set(owners.map((o) => o.source_id))]],
        );
        for (const r of rows) linkedBy.set(r.source_id, { ...r, urls: [] });
        for (const o of owners) linkedBy.get(o.source_id)?.urls.push(o.path);
      }
      const linked = [...linkedBy.values()];
      const linkedPrev = linked.length
        ? new Map(
            (
              await tx.find(
                Item,
                {
                  siteId: site.id,
                  sourceSystem: run.sourceSystem,
                  sourceScope: run.label,
                  sourceId: { $in: linked.map((l) => l.source_id) },
                },
                { fields: ['slug', 'sourceId'] },
              )
            ).map((i) => [i.sourceId!, i.slug]),
          )
        : new Map<string, string>();
      const linkedSlugs = await newSlugs(
        tx,
        site.id,
        run,
        linked.flatMap((l) => {
          const col = (l.col ? columns.get(l.col) : null) ?? into;
          return col && !linkedPrev.has(l.source_id)
            ? [{ columnId: col.id, colSourceId: l.col, sourceId: l.source_id, legacySlug: l.slug }]
            : [];
        }),
        clashes,
      );
      for (const l of linked) {
        const col = (l.col ? columns.get(l.col) : null) ?? into;
        if (!col) continue;
        const slug = linkedPrev.get(l.source_id) ?? linkedSlugs.get(l.source_id) ?? slugFor(l.source_id, l.slug);
        for (const u of l.urls) newPathOf.set(u, `${col.path}/${slug}.html`);
      }
      return newSlugs(
        tx,
        site.id,
        run,
        recs.flatMap((r) => {
          const col = (r.payload.columnSourceIds[0] ? columns.get(r.payload.columnSourceIds[0]) : null) ?? into;
          return col && !existing.has(r.source_id)
            ? [
                {
                  columnId: col.id,
                  colSourceId: r.payload.columnSourceIds[0] ?? null,
                  sourceId: r.source_id,
                  legacySlug: r.payload.slug,
                },
              ]
            : [];
        }),
        clashes,
      );
    });
    // Every body of the batch handed to the HTML worker-thread pool at once (ADR 0010; ~20% of an import's CPU), as
    // bytes with its links' new paths (import-bodies.ts): the pool rewrites and sanitises while this thread builds
    // the rest of the batch and the previous batch is written.
    const bodyOf = new Map<string, Promise<ImportedBody>>();
    const toPrepare: { sourceId: string; html: Uint8Array; rewrites: string[] }[] = [];
    for (const r of recs) {
      const col = (r.payload.columnSourceIds[0] ? columns.get(r.payload.columnSourceIds[0]) : null) ?? into;
      const prev = existing.get(r.source_id);
      if (!col || (prev && unchanged(r))) continue;
      const body = legacy.get(r.source_id)!;
      const rewrites: string[] = [];
      for (const u of body.urls) {
        const m = media.get(u);
        const p = m ? null : isOwnUrl(u, hosts) ? legacyPath(u) : null;
        const to = m ? mediaPath(m.id) : p ? newPathOf.get(p) : undefined;
        if (to) rewrites.push(u, to);
      }
      toPrepare.push({ sourceId: r.source_id, html: body.html, rewrites });
    }
    legacy.clear();
    const bodies = prepareImportedBodies(ctx, toPrepare);
    toPrepare.forEach((b, i) => {
      const body = bodies[i]!;
      // Awaited in order below; a refused body is that record's FAILED outcome, never an unhandled rejection.
      body.catch(() => undefined);
      bodyOf.set(b.sourceId, body);
    });
    bodies.length = 0;
    const prepared: Prepared[] = [];
    for (const r of recs) {
      const it = r.payload;
      const warnings: { code: string; message: string }[] = [];
      const prev = existing.get(r.source_id);
      const col = (it.columnSourceIds[0] ? columns.get(it.columnSourceIds[0]) : null) ?? into;
      if (!col) {
        prepared.push({
          r,
          outcome: 'FAILED' as const,
          warnings: [{ code: 'NO_COLUMN', message: 'no column and no --into' }],
        });
        continue;
      }
      if (prev && unchanged(r)) {
        // Same record, another column (a changed --map): the item moves when the run is published (import-moves).
        const moved = prev.columnId !== col.id;
        if (moved) warnings.push({ code: 'MOVED', message: `to ${col.path}` });
        prepared.push({ r, outcome: moved ? 'UPDATED' : 'UNCHANGED', itemId: prev.id, col, warnings });
        continue;
      }
      const missing = (filesOf.get(r.source_id) ?? []).filter((u) => !media.get(u));
      for (const u of missing) {
        const why = refusedFiles.get(u);
        warnings.push(
          why ? { code: 'FILE_REFUSED', message: `${u}: ${why}`.slice(0, 500) } : { code: 'FILE_MISSING', message: u },
        );
      }
      let body: ImportedBody;
      try {
        body = await bodyOf.get(r.source_id)!;
        bodyOf.delete(r.source_id);
      } catch (e) {
        prepared.push({
          r,
          outcome: 'FAILED' as const,
          warnings: [{ code: 'BODY_REFUSED', message: (e as Error).message }],
        });
        continue;
      }
      if (it.publishedAt && !legacyDate(it.publishedAt))
        warnings.push({ code: 'BAD_DATE', message: `publishedAt ${it.publishedAt.slice(0, 40)}` });
      if (it.title.trim().length > 300) warnings.push({ code: 'TITLE_TRUNCATED', message: it.title.slice(0, 50) });
      const attachments: ContentAttachment[] = [];
      for (const a of it.attachments ?? []) {
        const m = media.get(a.url);
        if (m)
          attachments.push({
            url: mediaPath(m.id),
            name: clip(a.name, 200) ?? m.name,
            mediaType: m.mediaType,
            mediaId: m.id,
            sha256: m.sha256,
          });
      }
      // Files the legacy system lists as the item's own (DedeCMS `uploads.arcid`, PHPCMS `attachment_index`, a
      // WordPress attachment's parent) that are not images are its attachments too, under their listed name.
      for (const l of listedOf.get(r.source_id) ?? []) {
        const m = media.get(l.payload.url);
        if (!m || m.kind === 'IMAGE' || attachments.some((a) => a.mediaId === m.id)) continue;
        attachments.push({
          url: mediaPath(m.id),
          name: clip(l.payload.name ?? null, 200) ?? m.name,
          mediaType: m.mediaType,
          mediaId: m.id,
          sha256: m.sha256,
        });
      }
      const images: ContentImage[] = [];
      const thumb = it.thumbnail ? media.get(it.thumbnail.url) : null;
      if (thumb && thumb.kind === 'IMAGE')
        images.push({
          url: mediaPath(thumb.id),
          alt: clip(it.title, 300),
          caption: null,
          mediaId: thumb.id,
          sha256: thumb.sha256,
        });
      const g = it.govMeta ?? {};
      const content: ItemContent = normaliseContent(
        null,
        {
          title: clip(it.title, 300) ?? `(无标题 ${r.source_id})`,
          body: BODY_HERE,
          subtitle: clip(it.subtitle, 300),
          summary: clip(it.summary, 1000),
          source: clip(it.source, 200),
          author: clip(it.author, 100),
          keywords: [
            ...new Set([...(it.keywords ?? []), ...(it.tags ?? [])].map((k) => k.trim().slice(0, 50)).filter(Boolean)),
          ].slice(0, 20),
          attachments: attachments.slice(0, 100),
          images,
          docNumber: clip(g.docNumber, 100),
          issuingBody: clip(g.issuingBody, 200),
          writtenAt: isoDate(g.writtenAt),
          issuedAt: isoDate(g.issuedAt),
          topic: clip(g.topic, 100),
          slug: prev?.slug ?? slugs.get(r.source_id) ?? slugFor(r.source_id, it.slug),
          alsoIn: it.columnSourceIds
            .slice(1)
            .map((s) => columns.get(s)?.id)
            .filter((id): id is string => !!id && id !== col.id),
        },
        BODY_HERE,
      );
      if (prev) {
        const withBody = { ...content, body: importedHtml(body) };
        prepared.push({
          r,
          outcome: 'UPDATED',
          prev,
          col,
          content: withBody,
          text: body.text.toString('utf8'),
          warnings,
        });
        continue;
      }
      const linksMedia = content.images.length > 0 || content.attachments.length > 0 || body.linksMedia;
      const json = splicedContent(arena, content, body.json, JSONB_VERSION);
      prepared.push({
        r,
        outcome: 'CREATED',
        col,
        // The body as a string only where linkRevisionMedia reads it (its inline images).
        content: { ...content, body: linksMedia ? importedHtml(body) : '' },
        created: {
          json,
          hash: createHash('sha256').update(json.subarray(1)).digest('hex'),
          text: arena.joined([body.text]),
          linksMedia,
        },
        warnings,
      });
    }
    // What became of each file the legacy system lists for the batch's items (the report's FILE counts).
    const outcomeOf = new Map(prepared.map((p) => [p.r.source_id, p.outcome]));
    const files: FileOutcome[] = listed.map((l) => {
      const owner = outcomeOf.get(l.payload.itemSourceId ?? '');
      if (owner === 'UNCHANGED') return { sourceId: l.source_id, outcome: 'UNCHANGED', mediaId: null, warnings: [] };
      if (owner !== 'CREATED' && owner !== 'UPDATED')
        return { sourceId: l.source_id, outcome: 'SKIPPED', mediaId: null, warnings: [] };
      const m = media.get(l.payload.url);
      if (m) return { sourceId: l.source_id, outcome: 'CREATED', mediaId: m.id, warnings: [] };
      const why = refusedFiles.get(l.payload.url);
      return {
        sourceId: l.source_id,
        outcome: 'FAILED',
        mediaId: null,
        warnings: [
          why ? { code: 'FILE_REFUSED', message: why.slice(0, 500) } : { code: 'FILE_MISSING', message: l.payload.url },
        ],
      };
    });
    return { prepared, files, arena };
  };
  /**
   * Starts the batch after `afterSeq`: its records are read, then prepared. Its last seq is known as soon as its
   * records are, so that the next batch can start while this one is still being prepared.
   */
  const startBatch = (afterSeq: number): Preparing => {
    const recs = ctx.em.execute<StagedItem[]>(
      `select seq, source_id, content_hash, payload from import_record
          where run_id = ? and kind = 'ITEM' and outcome is null and seq > ? order by seq limit ?`,
      [run.id, afterSeq, size],
    );
    const lastSeq = recs.then((r) => (r.length ? r[r.length - 1]!.seq : null));
    const batch = recs.then((r) => (r.length ? prepareRecords(r) : null));
    // Awaited by the loop below (or in its finally); until then a failure must not count as unhandled.
    lastSeq.catch(() => undefined);
    batch.catch(() => undefined);
    return { lastSeq, batch };
  };
  /**
   * The batch: one transaction. New items, their first revisions and placements are one statement (the
   * item ↔ head revision foreign keys are checked at its end); changed items take the ORM's path. Returns the run's
   * applied count and total as the transaction left them.
   */
  const writeBatch = async (prepared: Prepared[], files: FileOutcome[]): Promise<Progress> =>
    ctx.em.transactional(async (tx) => {
      await tx.execute(FAST_COMMIT);
      const now = ctx.now();
      const writes = prepared.filter((p) => (p.outcome === 'CREATED' || p.outcome === 'UPDATED') && p.content);
      const creates = writes.filter((p) => !p.prev);
      const updates = writes.filter((p) => p.prev);
      const itemIdOf = new Map<Prepared, string>();
      const linked: [ItemRevision, ItemContent][] = [];
      const who = actorLabel(ctx.actor);
      const by = ctx.actor.kind === 'user' ? ctx.actor.userId : null;
      if (creates.length) {
        const items: Record<string, unknown>[] = [];
        // The revisions' values as bound parameters, six per revision (REVISION_COLUMNS), not a JSON document.
        const revisions: unknown[] = [];
        const placements: Record<string, unknown>[] = [];
        for (const p of creates) {
          const it = p.r.payload;
          const id = randomUUID();
          const revId = randomUUID();
          const c = p.content!;
          itemIdOf.set(p, id);
          items.push({
            id,
            column_id: p.col!.id,
            kind: KIND[it.kind] ?? 'ARTICLE',
            slug: c.slug,
            title: c.title,
            head_revision_id: revId,
            issued_at: c.issuedAt,
            index_number: clip(it.govMeta?.indexNumber, 100),
            original_published_at: legacyDate(it.publishedAt)?.toISOString() ?? null,
            source_id: p.r.source_id,
            source_hash: p.r.content_hash,
            old_urls: it.oldUrls,
          });
          const rev = p.created!;
          revisions.push(revId, id, rev.json, rev.text, rev.hash, `imported from ${run.sourceSystem} ${p.r.source_id}`);
          for (const [columnId, home] of [
            [p.col!.id, true] as const,
            ...(c.alsoIn ?? []).map((x) => [x, false] as const),
          ])
            placements.push({ item_id: id, column_id: columnId, home });
          if (rev.linksMedia) linked.push([{ id: revId, itemId: id, siteId: site.id } as ItemRevision, c]);
        }
        // Items and placements (short values) as one JSON document each, read by json_to_recordset; the revisions,
        // whose bodies are most of the batch, as bound parameters: each `content` goes through jsonb's parser once,
        // at the bind, where inside a document it was also lexed with the document (ADR 0015, sixth round: the
        // statement's execute time halved, PostgreSQL's CPU per item fell ~5 % — most of the work is the parse).
        // A full batch of new items has the same text every time: prepared once per connection (PREPARED_STATEMENT).
        await bound(
          tx,
          preparedWhen(
            creates.length === size,
            `with i as (
               insert into item (id, site_id, column_id, kind, state, locale, translation_group_id, slug, title,
                                 head_revision_id, head_number, review_cycle, issued_at, index_number, created_at,
                                 updated_at, original_published_at, source_system, source_id, source_hash,
                                 legacy_site_name, old_urls, import_run_id, source_scope)
               select x.id, $1::uuid, x.column_id, x.kind, 'DRAFT', $2::text, x.id, x.slug, x.title, x.head_revision_id,
                      1, 0, x.issued_at, x.index_number, $3::timestamptz, $3::timestamptz, x.original_published_at,
                      $4::text, x.source_id, x.source_hash, $5::text, x.old_urls, $6::uuid, $7::text
                 from json_to_recordset($8::json) as x(id uuid, column_id uuid, kind text, slug text, title text,
                      head_revision_id uuid, issued_at date, index_number text, original_published_at timestamptz,
                      source_id text, source_hash text, old_urls text[])),
             r as (
               insert into item_revision (id, item_id, site_id, number, content, body_text, content_hash, deadline_at,
                                          created_by, created_by_name, created_at, note)
               select x.id, x.item_id, $1::uuid, 1, x.content, x.body_text, x.content_hash, null, $9::uuid, $10::text,
                      $3::timestamptz, x.note
                 from (values ${valueRows(revisions.length / REVISION_COLUMNS.length, 12, REVISION_COLUMNS)})
                      as x(id, item_id, content, body_text, content_hash, note)),
             p as (
               insert into item_placement (item_id, column_id, site_id, item_site_id, home, live, published_at, created_at)
               select x.item_id, x.column_id, $1::uuid, $1::uuid, x.home, false, null, $3::timestamptz
                 from json_to_recordset($11::json) as x(item_id uuid, column_id uuid, home boolean))
             select 1`,
          ),
          [
            site.id,
            locale,
            now,
            run.sourceSystem,
            source.siteName ?? run.label,
            run.id,
            run.label,
            JSON.stringify(items),
            by,
            who.name,
            JSON.stringify(placements),
            ...revisions,
          ],
        );
      }
      if (updates.length) {
        const reloaded = new Map(
          (await tx.find(Item, { id: { $in: updates.map((p) => p.prev!.id) } })).map((i) => [i.id, i]),
        );
        for (const p of updates) {
          const it = p.r.payload;
          const item = reloaded.get(p.prev!.id)!;
          const note = `imported from ${run.sourceSystem} ${p.r.source_id}`;
          linked.push([addRevision(tx, ctx, item, p.content!, note, p.text!, null), p.content!]);
          item.sourceHash = p.r.content_hash;
          item.importRunId = run.id;
          item.oldUrls = it.oldUrls;
          item.originalPublishedAt = legacyDate(it.publishedAt) ?? item.originalPublishedAt ?? null;
          tx.persist(item);
          itemIdOf.set(p, item.id);
        }
        await tx.flush();
      }
      for (const [rev, content] of linked) await linkRevisionMedia(tx, rev, content);
      // By primary key (`source_id = any($3)`, see recordFileOutcomes), with bound parameters: one JSON text. The
      // same text for every batch: prepared once per connection (PREPARED_STATEMENT).
      await bound(
        tx,
        `${PREPARED_STATEMENT}with v as materialized (
           select * from json_to_recordset($2::json) as v(source_id text, outcome text, item_id uuid, warnings jsonb,
                                                            column_id uuid))
         update import_record r set outcome = v.outcome, item_id = v.item_id, warnings = v.warnings, column_id = v.column_id
           from v where r.run_id = $1::uuid and r.kind = 'ITEM' and r.source_id = any ($3::text[]) and r.source_id = v.source_id`,
        [
          run.id,
          JSON.stringify(
            prepared.map((p) => ({
              source_id: p.r.source_id,
              outcome: p.outcome,
              item_id: itemIdOf.get(p) ?? p.itemId ?? null,
              warnings: p.warnings,
              // The item's column as this run decided it: the publication moves items that are elsewhere.
              column_id: p.col?.id ?? null,
            })),
          ),
          prepared.map((p) => p.r.source_id),
        ],
      );
      await recordFileOutcomes(tx, run.id, files);
      // A batch committed after a cancel would add drafts to a cancelled run: the run's row, locked, decides —
      // cancelled meanwhile, the whole batch rolls back and the worker stops.
      const [goes] = await tx.execute<Progress[]>(
        `update import_run set applied = applied + ?, batches = batches + 1, updated_at = ?
          where id = ? and ${RUN_GOES_ON} returning applied, total`,
        [prepared.length, now, run.id],
      );
      if (!goes) throw new StopSignal();
      return goes;
    });
  // Two batches are written side by side while a third is prepared (issue 11: a batch's write is mostly one
  // PostgreSQL backend's CPU, its preparation this process's; one write at a time left a core idle between
  // statements). Each batch is its own transaction over its own records: batches commit in any order, and a
  // resumed run starts again from the records without an outcome. The next batch is taken by seq after the ones
  // in flight, so no record is in two. At most one batch is prepared ahead (memory stays flat).
  const writes: Promise<Progress>[] = [];
  let appliedSeen = 0;
  let started = 0;
  // The run's applied count when this job last refreshed the item statistics (a resumed job refreshes them first).
  let analysedAt = 0;
  const analyseFirst = hooks.analyseFirst ?? ANALYSE_FIRST;
  /** Waits for the oldest write; then what follows a written batch (progress, statistics). */
  const written = async () => {
    // The count as the batch's own transaction left it (batches commit in any order: the highest seen is reported).
    const pr = await writes.shift()!;
    // Nothing of a batch stays in the identity map: memory and flush cost stay flat however long the run.
    ctx.em.clear();
    appliedSeen = Math.max(appliedSeen, pr.applied);
    const applied = appliedSeen;
    hooks.onProgress?.({ state: 'APPLYING', staged: run.staged, applied, total: pr.total });
    if (applied - analysedAt >= Math.max(analyseFirst, analysedAt)) {
      await analyseItemLookups(ctx);
      analysedAt = applied;
    }
  };
  const preparing: Preparing[] = [startBatch(0)];
  try {
    for (;;) {
      // PREPARES_IN_FLIGHT batches are prepared side by side: the next starts as soon as the last one's records are
      // read (issue 11: a batch's preparation — its lookups, one after the other, then its bodies through the pool —
      // took longer than its write, and the writes waited for it with a core idle).
      while (preparing.length < PREPARES_IN_FLIGHT) {
        const last = await preparing[preparing.length - 1]!.lastSeq;
        if (last === null) break;
        preparing.push(startBatch(last));
      }
      const cur = await preparing.shift()!.batch;
      if (!cur) break;
      // A cancel is seen by the batch's own transaction (the run's row, locked: RUN_GOES_ON): it rolls back and the
      // worker stops (StopSignal), no other batch being written after it.
      const w = writeBatch(cur.prepared, cur.files);
      // Awaited in order by `written` (or in finally).
      w.catch(() => undefined);
      writes.push(w);
      arenas.giveBack(cur.arena, w);
      started += 1;
      if (hooks.stopAfterBatches && started >= hooks.stopAfterBatches) {
        while (writes.length) await written();
        return 'STOPPED';
      }
      if (writes.length >= WRITES_IN_FLIGHT) await written();
    }
    while (writes.length) await written();
  } finally {
    // The batches prepared ahead may still be bringing files through media, and a failed batch may have left the
    // other one in flight: let them end before the store closes.
    await Promise.allSettled(preparing.map((p) => p.batch));
    await Promise.allSettled(writes);
    await store?.close();
  }
  // Files listed without an item of the run (a WordPress attachment with no parent, a DedeCMS upload of a deleted
  // article): brought in when an item's body or attachments referred to them, else skipped (staying in staging).
  // In slices by seq (memory stays flat), each a read and an update by primary key.
  for (let after = 0; ; ) {
    const left = await ctx.em.execute<{ seq: number; source_id: string; url: string | null }[]>(
      `select seq, source_id, payload->>'url' as url from import_record
        where run_id = ? and kind = 'FILE' and outcome is null and seq > ? order by seq limit 2000`,
      [run.id, after],
    );
    if (!left.length) break;
    after = left[left.length - 1]!.seq;
    const files: FileOutcome[] = left.map((f) => {
      const m = f.url ? media.get(f.url) : null;
      return { sourceId: f.source_id, outcome: m ? 'CREATED' : 'SKIPPED', mediaId: m?.id ?? null, warnings: [] };
    });
    await ctx.em.transactional((tx) => recordFileOutcomes(tx, run.id, files));
  }
  const counts = await runCounts(ctx.em, run.id);
  const [h] = await ctx.em.execute<{ hash: string }[]>(
    `select encode(sha256(convert_to(coalesce(string_agg(kind || ':' || source_id || ':' || coalesce(content_hash, '') || ':' ||
            coalesce(outcome, ''), E'\\n' order by kind, source_id), ''), 'UTF8')), 'hex') as hash
       from import_record where run_id = ?`,
    [run.id],
  );
  await setState(ctx, run, 'IN_REVIEW', { counts, contentHash: h!.hash, finishedAt: ctx.now() });
  await ctx.em.transactional((tx) =>
    appendAudit(tx, ctx, {
      siteId: run.siteId,
      action: 'import.applied',
      targetType: 'ImportRun',
      targetId: run.id,
      changes: { counts, hash: h!.hash },
    }),
  );
  return 'DONE';
}

/** Records by kind and outcome: `ITEM.CREATED`, `ITEM.UNCHANGED`, `COLUMN.CREATED`, `SKIPPED.SKIPPED`… */
export async function runCounts(em: EntityManager, runId: string): Promise<Record<string, number>> {
  const rows = await em.execute<{ kind: string; outcome: string | null; n: number }[]>(
    'select kind, outcome, count(*)::int as n from import_record where run_id = ? group by 1, 2',
    [runId],
  );
  return Object.fromEntries(rows.map((r) => [`${r.kind}.${r.outcome ?? 'PENDING'}`, r.n]));
}

// ——— review and publication of a run ———

const signInput = z.object({
  id: z.uuid(),
  level: z.number().int().min(1).max(3),
  opinion: z.string().trim().max(2000).nullish(),
  /** The hash the signer read in the report; refused if the run's content is not that any more. */
  contentHash: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .nullish(),
});
export type SignImportRunInput = z.input<typeof signInput>;

/**
 * 三审 of a run (2015 §12): level 1 by an editor, 2 by a reviewer, 3 by an approver of the site — three different
 * people, in order, each over the run's content hash. The person who started the run signs level 1 at most.
 * Level 3 publishes every item of the run in the same transaction.
 */
export async function signImportRun(ctx: Ctx, raw: SignImportRunInput): Promise<ImportRun> {
  const input = parseInput(signInput, raw);
  const run = await requireRun(ctx, input.id);
  if (ctx.actor.kind !== 'user')
    throw new AppError(ctx.actor.kind === 'apiToken' ? 'API_TOKEN_SCOPE' : 'UNAUTHENTICATED');
  const actor = ctx.actor;
  if (run.state !== 'IN_REVIEW') throw new AppError('INVALID_IMPORT_STATE', `The run is ${run.state}, not IN_REVIEW`);
  if (input.contentHash && input.contentHash !== run.contentHash) throw new AppError('IMPORT_CHANGED');
  const level = input.level as ReviewLevel;
  const role = levelRole[level];
  const scopePath = ((run.options as { into?: string | null }).into ?? '/') || '/';
  if (grantsRoleFor(actor.memberships, run.siteId, role, scopePath) !== 'YES')
    throw new AppError('REVIEW_ROLE_REQUIRED', `Level ${level} is signed by a ${role} of this site`);
  const signed = await ctx.em.find(ImportSignOff, { runId: run.id }, { orderBy: { level: 'asc' } });
  if (signed.length + 1 !== level)
    throw new AppError('INVALID_IMPORT_STATE', `The run waits for level ${signed.length + 1}, not ${level}`, {
      field: 'level',
    });
  if (signed.some((s) => s.userId === actor.userId)) throw new AppError('SIGNER_ALREADY_SIGNED');
  if (level > 1 && run.startedBy === actor.userId) throw new AppError('SELF_REVIEW_NOT_ALLOWED');
  return ctx.em
    .transactional(async (tx) => {
      const now = ctx.now();
      const [locked] = await tx.execute<{ state: string; content_hash: string }[]>(
        'select state, content_hash from import_run where id = ? for update',
        [run.id],
      );
      // Cancelled (or published) meanwhile: that is the run's state, not a change of its content.
      if (locked?.state !== 'IN_REVIEW')
        throw new AppError('INVALID_IMPORT_STATE', `The run is ${locked?.state}, not IN_REVIEW`, {
          details: { state: locked?.state ?? null },
        });
      if (locked.content_hash !== run.contentHash) throw new AppError('IMPORT_CHANGED');
      tx.create(ImportSignOff, {
        id: randomUUID(),
        runId: run.id,
        siteId: run.siteId,
        level,
        userId: actor.userId,
        userName: actor.name,
        role,
        opinion: input.opinion ?? null,
        contentHash: run.contentHash!,
        signedAt: now,
      });
      await tx.flush();
      await appendAudit(tx, ctx, {
        siteId: run.siteId,
        action: 'import.signOff',
        targetType: 'ImportRun',
        targetId: run.id,
        changes: { level, role, hash: run.contentHash, opinion: input.opinion ?? null },
      });
      if (level === 3) await publishRunInTx(tx, ctx, run);
      return run;
    })
    .then(async (signedRun) => {
      // Published: its uploads have done their work (import-upload-retention.ts).
      if (signedRun.state === 'PUBLISHED') await releaseRunUploads(ctx, signedRun);
      return signedRun;
    });
}

/**
 * Publishes a signed run in the caller's transaction: every item it created or changed goes live at once (its
 * public date is its legacy date, 2015 §9 — nothing is re-dated), the lists and the search outbox follow, the old
 * URLs of items and columns enter the redirect map (301), and items an earlier run of the same source brought
 * that this run no longer has are withdrawn, their old URLs answering 410.
 */
async function publishRunInTx(tx: EntityManager, ctx: Ctx, run: ImportRun): Promise<void> {
  const now = ctx.now();
  const runItems = `select item_id from import_record where run_id = ? and kind = 'ITEM' and item_id is not null
                      and outcome in ('CREATED', 'UPDATED', 'UNCHANGED')`;
  await tx.execute(
    `update item set state = 'PUBLISHED', published_revision_id = head_revision_id, published_number = head_number,
            published_at = coalesce(published_at, original_published_at, ?), last_published_at = ?,
            scheduled_at = null, withdrawn_at = null, withdrawn_reason = null, updated_at = ?
      where id in (${runItems}) and (published_revision_id is distinct from head_revision_id or withdrawn_at is not null)`,
    [now, now, now, run.id],
  );
  // Items this run puts in another column (a changed --map) move now, not before the signatures.
  const moved = await moveRunItems(tx, run, now);
  await tx.execute(
    `update item_placement p set live = true, published_at = i.published_at from item i
      where i.id = p.item_id and p.item_id in (${runItems})`,
    [run.id],
  );
  const [published] = await tx.execute<{ n: number }[]>(
    `select count(*)::int as n from item where id in (${runItems}) and state = 'PUBLISHED'`,
    [run.id],
  );
  await tx.execute(
    `insert into search_change (item_id, site_id, reason) select item_id, site_id, 'import' from import_record
      where run_id = ? and kind = 'ITEM' and outcome in ('CREATED', 'UPDATED')`,
    [run.id],
  );
  await refreshListingsOf(tx, runItems, [run.id]);
  // Old URLs → the new homes (a 301 from delivery's route), the latest run winning. One path once per statement
  // (an upsert cannot touch a row twice): an item listing the same path twice, or two records of the export claiming
  // one address (the WordPress theme test data has both), give it to the first record by source id.
  const [items] = await tx.execute<{ n: number }[]>(
    `with u as (
       insert into site_redirect (id, site_id, from_path, target_item_id, gone, reason, created_at)
       select distinct on (u.path) gen_random_uuid(), r.site_id, u.path, r.item_id, false, 'LEGACY_IMPORT', ?
         from import_record r cross join lateral json_array_elements_text(r.payload->'oldUrls') as u(path)
        where r.run_id = ? and r.kind = 'ITEM' and r.item_id is not null and u.path ~ '^/' and length(u.path) <= 1000
          and u.path <> '/'
        order by u.path, length(r.source_id), r.source_id
       on conflict (site_id, from_path) do update set target_item_id = excluded.target_item_id, target_column_id = null,
         target_url = null, gone = false, reason = excluded.reason, created_at = excluded.created_at
       returning 1)
     select count(*)::int as n from u`,
    [now, run.id],
  );
  const [cols] = await tx.execute<{ n: number }[]>(
    `with u as (
       insert into site_redirect (id, site_id, from_path, target_column_id, gone, reason, created_at)
       select distinct on (u.path) gen_random_uuid(), r.site_id, u.path, r.column_id, false, 'LEGACY_IMPORT', ?
         from import_record r cross join lateral json_array_elements_text(r.payload->'oldUrls') as u(path)
        where r.run_id = ? and r.kind = 'COLUMN' and r.column_id is not null and u.path ~ '^/' and length(u.path) <= 1000
          and u.path <> '/'
       on conflict (site_id, from_path) do update set target_column_id = excluded.target_column_id, target_item_id = null,
         target_url = null, gone = false, reason = excluded.reason, created_at = excluded.created_at
       returning 1)
     select count(*)::int as n from u`,
    [now, run.id],
  );
  // Removed since an earlier run of the same source: withdrawn, and their old addresses answer 410 Gone.
  const removed = await tx.execute<{ id: string; site_id: string; old_urls: string[] | null }[]>(
    `select i.id, i.site_id, i.old_urls from item i join import_run r on r.id = i.import_run_id
      where i.site_id = ? and i.source_system = ? and r.label = ? and r.id <> ? and i.withdrawn_at is null
        and i.published_revision_id is not null
        and not exists (select 1 from import_record x where x.run_id = ? and x.kind in ('ITEM', 'SKIPPED')
                          and x.source_id = i.source_id)`,
    [run.siteId, run.sourceSystem, run.label, run.id, run.id],
  );
  if (removed.length) {
    const ids = removed.map((r) => r.id);
    await tx.execute(
      `update item set state = 'WITHDRAWN', withdrawn_at = ?, withdrawn_reason = ?, updated_at = ? where id in (?)`,
      [now, `removed from the legacy source (import ${run.id})`, now, ids],
    );
    await tx.execute('update item_placement set live = false where item_id in (?)', [ids]);
    await tx.execute(
      "insert into search_change (item_id, site_id, reason) select id, site_id, 'import-removed' from item where id in (?)",
      [ids],
    );
    await refreshListingsOf(tx, 'select unnest(array[?]::uuid[])', [ids]);
    await tx.execute(
      `insert into site_redirect (id, site_id, from_path, gone, reason, created_at)
       select gen_random_uuid(), i.site_id, u.path, true, 'LEGACY_IMPORT', ?
         from item i cross join lateral unnest(i.old_urls) as u(path)
        where i.id in (?) and u.path ~ '^/' and u.path <> '/'
       on conflict (site_id, from_path) do update set target_item_id = null, target_column_id = null, target_url = null,
         gone = true, reason = excluded.reason, created_at = excluded.created_at`,
      [now, ids],
    );
  }
  await tx.execute("update import_run set state = 'PUBLISHED', published_at = ?, updated_at = ? where id = ?", [
    now,
    now,
    run.id,
  ]);
  run.state = 'PUBLISHED';
  run.publishedAt = now;
  await appendAudit(tx, ctx, {
    siteId: run.siteId,
    action: 'import.publish',
    targetType: 'ImportRun',
    targetId: run.id,
    changes: {
      hash: run.contentHash,
      published: published?.n ?? 0,
      redirects: { items: items?.n ?? 0, columns: cols?.n ?? 0 },
      removed: removed.length,
      moved,
    },
  });
}

export interface ItemProvenance {
  id: string;
  system: string;
  sourceId: string;
  legacySite: string | null;
  oldUrls: string[];
  originalPublishedAt: Date | null;
}

/** 迁移自: where imported items came from (null for items written on the platform), one statement for a list. */
export async function provenanceOf(ctx: Ctx, itemIds: string[]): Promise<Map<string, ItemProvenance>> {
  if (!itemIds.length) return new Map();
  const rows = await ctx.em.execute<
    {
      id: string;
      source_system: string;
      source_id: string;
      legacy_site_name: string | null;
      old_urls: string[];
      original_published_at: Date | null;
    }[]
  >('select * from zq_item_provenance(array[?]::uuid[])', [itemIds]);
  return new Map(
    rows.map((r) => [
      r.id,
      {
        id: r.id,
        system: r.source_system,
        sourceId: r.source_id,
        legacySite: r.legacy_site_name,
        oldUrls: r.old_urls,
        originalPublishedAt: r.original_published_at ? new Date(r.original_published_at) : null,
      },
    ]),
  );
}
