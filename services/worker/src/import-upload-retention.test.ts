/**
 * Uploaded import exports are purged (docs/import.md#uploaded-exports): kept while a run that refers to them is
 * not finished (IN_REVIEW included), deleted once every such run is published, cancelled or failed, and — when no
 * run used them since they were uploaded — after IMPORT_UPLOAD_RETENTION_DAYS, by the daily purge-import-uploads
 * job. Against the object storage adapter the tests run with (the local store) and the real PostgreSQL.
 */
import { createBoss, queues } from '@zhanqun/adapters';
import { purgeImportUploads, runImport } from '@zhanqun/core';
import pg from 'pg';
import type { PgBoss } from 'pg-boss';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { craftZip } from '../../../packages/importers/src/files/zip-craft.test-helper.ts';
import { demo, reasonOf, startTestApp, type TestApp } from '../../api/test/helpers.ts';
import { purgeImportStagingJob, purgeImportUploadsJob, registerJobs } from './jobs.ts';
import { createWorkerLogger } from './logger.ts';

let t: TestApp;
let boss: PgBoss;
/** The worker's schedules as registerJobs made them (then removed, see beforeAll). */
let schedules: Awaited<ReturnType<PgBoss['getSchedules']>> = [];
const DAY = 86_400_000;
const sys = () => t.platform.systemCtx('test:import-uploads');
const START = 'mutation($i: StartImportInput!) { startImport(input: $i) { id state } }';
const SIGN = 'mutation($i: SignImportRunInput!) { signImportRun(input: $i) { id state } }';
const RUN = 'query($id: ID!) { importRun(id: $id) { id state contentHash } }';

beforeAll(async () => {
  t = await startTestApp({ env: { IMPORT_UPLOAD_RETENTION_DAYS: '7' } });
  boss = createBoss(t.db.appUrl);
  boss.on('error', () => {});
  await boss.start();
  await registerJobs(boss, t.platform, { log: createWorkerLogger('silent') });
  // Nothing runs behind the tests' backs: the tests run each import and each purge themselves. Left registered,
  // the run-import worker also carried out every run startImport enqueued, concurrently with the test's own
  // runImport and cancelImport: a job's PLANNED landing between a cancel and its upload release (before the
  // worker's state changes respected a cancel) kept an upload "an upload no run used…" expects gone, and that
  // upload, left aged, then counted in "two workers purging at once…". And the daily purge (03:37 China time,
  // 19:37 UTC) would delete uploads under any test running at that minute.
  schedules = await boss.getSchedules();
  for (const s of schedules) await boss.unschedule(s.name, s.key);
  await boss.offWork(queues.runImport);
}, 120_000);
afterAll(async () => {
  await boss?.stop({ graceful: false });
  await t?.close();
});

let seq = 0;
/** A small bundle export; each call's bytes differ (a fresh upload), unless `tag` is given twice. */
const bundle = (tag = `t${process.pid}-${++seq}-${Date.now()}`) =>
  craftZip([
    { name: 'bundle.json', data: JSON.stringify({ siteName: `白姑镇 ${tag}`, baseUrl: 'http://www.baiyi.gov.cn' }) },
    { name: 'columns.jsonl', data: JSON.stringify({ sourceId: '1', name: '村务公开', slug: 'cwgk' }) },
    {
      name: 'items.jsonl',
      data: JSON.stringify({
        sourceId: `1-${tag}`,
        columnSourceIds: ['1'],
        title: `白姑镇召开春耕备耕工作会 ${tag}`,
        bodyHtml: '<p>会议要求……</p>',
        publishedAt: '2016-03-02T10:00:00+08:00',
        oldUrls: [`/cwgk/2016/${tag}.html`],
      }),
    },
  ]);

interface Upload {
  ref: string;
  sha256: string;
  site: string;
}

async function upload(site: string, bytes: Buffer, name = 'baigu.zip'): Promise<Upload> {
  const fd = new FormData();
  fd.set('file', new Blob([new Uint8Array(bytes)]), name);
  const req = new Request('http://localhost/imports/uploads', { method: 'POST', body: fd });
  const res = await t.app.inject({
    method: 'POST',
    url: `/imports/uploads?site=${site}`,
    headers: {
      'content-type': req.headers.get('content-type')!,
      authorization: `Bearer ${await t.tokenFor(demo.admin(site))}`,
    },
    payload: Buffer.from(await req.arrayBuffer()),
  });
  expect(res.statusCode, res.body).toBe(201);
  return { ref: res.json().upload.ref, sha256: res.json().upload.sha256, site };
}

const siteId = async (code: string) => (await t.platform.directory.fresh()).byCode(code)!.id;
/** The object and its register row, both. */
async function stored(u: Upload): Promise<{ object: boolean; row: boolean }> {
  const id = await siteId(u.site);
  const rows = await sys().em.execute<{ n: number }[]>(
    'select count(*)::int as n from import_upload where site_id = ? and sha256 = ?',
    [id, u.sha256],
  );
  return { object: await t.platform.media.storage.exists(`imports/${id}/${u.sha256}`), row: rows[0]!.n === 1 };
}
const kept = { object: true, row: true };
const gone = { object: false, row: false };

/** As if uploaded `days` ago. */
async function age(u: Upload, days: number) {
  await sys().em.execute('update import_upload set uploaded_at = ? where site_id = ? and sha256 = ?', [
    new Date(Date.now() - days * DAY),
    await siteId(u.site),
    u.sha256,
  ]);
}

/** As if the run had been PLANNED `days` ago (the worker's setState wrote updated_at then). */
async function plannedDaysAgo(id: string, days: number) {
  await sys().em.execute('update import_run set updated_at = ? where id = ?', [new Date(Date.now() - days * DAY), id]);
}

async function start(u: Upload, label: string, commit = true): Promise<string> {
  const r = await t.gql(
    START,
    { i: { site: u.site, source: [u.ref], into: '/zwdt/xzdt', label, commit } },
    await t.tokenFor(demo.admin(u.site)),
  );
  expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
  return r.data!.startImport.id;
}

async function publish(id: string) {
  const { contentHash } = (await t.gql(RUN, { id }, await t.tokenFor(demo.admin('miyi')))).data!.importRun;
  for (const [i, who] of [demo.editor('miyi'), demo.reviewer('miyi'), demo.approver('miyi')].entries()) {
    const r = await t.gql(SIGN, { i: { id, level: i + 1, contentHash } }, await t.tokenFor(who));
    expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
  }
  expect((await t.gql(RUN, { id }, await t.tokenFor(demo.admin('miyi')))).data!.importRun.state).toBe('PUBLISHED');
}

async function purgeAudits(sha256: string) {
  return sys().em.execute<{ changes: { reason: string; name: string } }[]>(
    "select changes from audit_record where action = 'import.upload.purge' and target_id = ? order by seq",
    [sha256],
  );
}

describe('uploaded import exports', () => {
  it('are purged by a daily job', async () => {
    expect(schedules.find((s) => s.name === queues.purgeImportUploads)).toMatchObject({
      cron: '37 3 * * *',
      options: expect.objectContaining({ tz: 'Asia/Shanghai' }),
    });
  });

  it('are kept while a run needs them, however old, and go when it is published — not another site’s copy', async () => {
    const bytes = await bundle();
    const used = await upload('miyi', bytes);
    const sameOnEdu = await upload('edu', bytes);
    expect(sameOnEdu.sha256).toBe(used.sha256);
    const id = await start(used, `kept-${seq}`);
    expect(await runImport(sys(), id)).toBe('IN_REVIEW');
    await age(used, 30);
    await purgeImportUploadsJob(t.platform);
    // IN_REVIEW: the reviewers may still ask for a re-run of the same upload.
    expect(await stored(used)).toEqual(kept);
    await publish(id);
    // Gone at once when its run is published, with the reason audited; edu's copy of the same bytes stays.
    expect(await stored(used)).toEqual(gone);
    expect((await purgeAudits(used.sha256)).map((a) => a.changes.reason)).toEqual(['RUNS_FINISHED']);
    expect(await stored(sameOnEdu)).toEqual(kept);
    await purgeImportUploadsJob(t.platform);
    expect(await stored(sameOnEdu)).toEqual(kept);
  });

  it('go when the last run referring to them is cancelled, not while another is unfinished', async () => {
    const u = await upload('miyi', await bundle());
    const planned = await start(u, `planned-${seq}`, false);
    expect(await runImport(sys(), planned)).toBe('PLANNED');
    const second = await start(u, `second-${seq}`, false);
    const admin = await t.tokenFor(demo.admin('miyi'));
    const r1 = await t.gql('mutation($id: ID!) { cancelImport(id: $id) { state } }', { id: planned }, admin);
    expect(r1.errors, JSON.stringify(r1.errors)).toBeUndefined();
    // `second` (PLANNING, not yet run) still needs it: the daily job keeps it too.
    expect(await stored(u)).toEqual(kept);
    await purgeImportUploadsJob(t.platform);
    expect(await stored(u)).toEqual(kept);
    const r2 = await t.gql('mutation($id: ID!) { cancelImport(id: $id) { state } }', { id: second }, admin);
    expect(r2.data?.cancelImport.state).toBe('CANCELLED');
    expect(await stored(u)).toEqual(gone);
    // A job left over for the cancelled run neither fails it nor needs the upload.
    expect(await runImport(sys(), second)).toBe('CANCELLED');
    // Gone means gone: a run can no longer be started from it (NOT_FOUND), until it is uploaded again.
    const again = await t.gql(
      START,
      { i: { site: 'miyi', source: [u.ref], into: '/zwdt/xzdt', label: `again-${seq}` } },
      admin,
    );
    expect(reasonOf(again)).toBe('NOT_FOUND');
  });

  it('an upload no run used goes after the retention; a fresh one, or one uploaded again after its run, stays', async () => {
    const old = await upload('miyi', await bundle());
    const fresh = await upload('miyi', await bundle());
    const oldOnEdu = await upload('edu', await bundle());
    await age(old, 8);
    await age(oldOnEdu, 6);
    const reused = await upload('miyi', await bundle('reused'));
    const id = await start(reused, `reused-${seq}`, false);
    await t.gql('mutation($id: ID!) { cancelImport(id: $id) { state } }', { id }, await t.tokenFor(demo.admin('miyi')));
    expect(await stored(reused)).toEqual(gone);
    const reuploaded = await upload('miyi', await bundle('reused'));
    expect(reuploaded.sha256).toBe(reused.sha256);

    const purged = await purgeImportUploadsJob(t.platform);
    expect(purged.retention).toBeGreaterThanOrEqual(1);
    expect(purged.bytes).toBeGreaterThan(0);
    expect(await stored(old)).toEqual(gone);
    expect((await purgeAudits(old.sha256)).map((a) => a.changes.reason)).toEqual(['RETENTION']);
    expect(await stored(fresh)).toEqual(kept);
    expect(await stored(oldOnEdu)).toEqual(kept);
    // Uploaded again after its run finished: a new upload, kept for the retention like any fresh one.
    expect(await stored(reuploaded)).toEqual(kept);
    // Nothing left to do: a second run deletes nothing.
    expect(await purgeImportUploadsJob(t.platform)).toEqual({
      expiredPlans: 0,
      runsFinished: 0,
      retention: 0,
      bytes: 0,
    });
  });

  it('a run is not started from an upload whose purge has committed, even while its object is still there', async () => {
    const u = await upload('miyi', await bundle());
    // The purge deletes the register row (held FOR UPDATE) before the object: between the two, the object exists.
    await sys().em.execute('delete from import_upload where site_id = ? and sha256 = ?', [
      await siteId('miyi'),
      u.sha256,
    ]);
    expect((await stored(u)).object).toBe(true);
    const admin = await t.tokenFor(demo.admin('miyi'));
    const label = `after-purge-${seq}`;
    const r = await t.gql(START, { i: { site: 'miyi', source: [u.ref], into: '/zwdt/xzdt', label } }, admin);
    expect(reasonOf(r)).toBe('NOT_FOUND');
    const runs = await sys().em.execute<{ n: number }[]>('select count(*)::int as n from import_run where label = ?', [
      label,
    ]);
    expect(runs[0]!.n).toBe(0);
  });

  it('two workers purging at once delete each upload once, without errors', async () => {
    const uploads = [];
    for (let i = 0; i < 4; i++) uploads.push(await upload('miyi', await bundle()));
    for (const u of uploads) await age(u, 10);
    const [a, b] = await Promise.all([purgeImportUploads(sys(), { days: 7 }), purgeImportUploads(sys(), { days: 7 })]);
    expect(a.retention + b.retention).toBe(4);
    for (const u of uploads) {
      expect(await stored(u)).toEqual(gone);
      expect(await purgeAudits(u.sha256)).toHaveLength(1);
    }
  });

  it('runs as the purge-import-uploads job', async () => {
    const u = await upload('miyi', await bundle());
    await age(u, 9);
    await boss.send(queues.purgeImportUploads, {});
    await expect.poll(async () => (await stored(u)).object, { timeout: 30_000, interval: 250 }).toBe(false);
    expect((await stored(u)).row).toBe(false);
  });

  it('a plan left uncommitted past the retention is cancelled with its reason: its upload goes, it cannot be committed', async () => {
    const admin = await t.tokenFor(demo.admin('miyi'));
    const staleUpload = await upload('miyi', await bundle());
    const recentUpload = await upload('miyi', await bundle());
    const stale = await start(staleUpload, `stale-plan-${seq}`, false);
    const recent = await start(recentUpload, `recent-plan-${seq}`, false);
    for (const id of [stale, recent]) expect(await runImport(sys(), id)).toBe('PLANNED');
    // Planned 8 and 6 days ago; both uploads older than the retention (only their runs keep them).
    await plannedDaysAgo(stale, 8);
    await plannedDaysAgo(recent, 6);
    await age(staleUpload, 9);
    await age(recentUpload, 9);

    expect(await purgeImportUploadsJob(t.platform)).toMatchObject({ expiredPlans: 1, runsFinished: 1, retention: 0 });
    expect(await stored(staleUpload)).toEqual(gone);
    expect(await stored(recentUpload)).toEqual(kept);
    const [run] = await sys().em.execute<{ state: string; error: string | null; finished: boolean }[]>(
      'select state, error, finished_at is not null as finished from import_run where id = ?',
      [stale],
    );
    expect(run).toEqual({
      state: 'CANCELLED',
      error: expect.stringMatching(/not committed within 7 days/),
      finished: true,
    });
    const audits = await sys().em.execute<{ changes: { state: string[] } }[]>(
      "select changes from audit_record where action = 'import.expire' and target_id = ?",
      [stale],
    );
    expect(audits.map((a) => a.changes.state)).toEqual([['PLANNED', 'CANCELLED']]);
    // Committing it is refused up front, with the reason — not a job failing later on a missing file.
    const commit = 'mutation($id: ID!) { commitImport(id: $id) { id state } }';
    const refused = await t.gql(commit, { id: stale }, admin);
    expect(reasonOf(refused)).toBe('INVALID_IMPORT_STATE');
    expect(refused.errors![0]!.message).toMatch(/CANCELLED.*not committed within 7 days/);
    // The recent plan is still the reviewers' to commit; a second purge expires nothing.
    const committed = await t.gql(commit, { id: recent }, admin);
    expect(committed.errors, JSON.stringify(committed.errors)).toBeUndefined();
    expect(await purgeImportUploadsJob(t.platform)).toMatchObject({ expiredPlans: 0, runsFinished: 0 });
    expect(await stored(recentUpload)).toEqual(kept);
  });

  it("the register is site-owned: A's scope neither sees nor deletes B's uploads", async () => {
    const onEdu = await upload('edu', await bundle());
    const client = new pg.Client({ connectionString: t.db.appUrl });
    await client.connect();
    try {
      await client.query('begin');
      await client.query("select set_config('zq.site_ids', $1, true)", [await siteId('edu')]);
      // Control: edu's scope sees edu's row.
      expect((await client.query('select 1 from import_upload where sha256 = $1', [onEdu.sha256])).rowCount).toBe(1);
      await client.query("select set_config('zq.site_ids', $1, true)", [await siteId('miyi')]);
      expect((await client.query('select 1 from import_upload where sha256 = $1', [onEdu.sha256])).rowCount).toBe(0);
      expect((await client.query('delete from import_upload where sha256 = $1', [onEdu.sha256])).rowCount).toBe(0);
      await expect(
        client.query(
          "insert into import_upload (site_id, sha256, name, size, uploaded_at) values ($1, $2, 'x.zip', 1, now())",
          [await siteId('edu'), 'a'.repeat(64)],
        ),
      ).rejects.toThrow(/row-level security/);
      await client.query('rollback');
    } finally {
      await client.end();
    }
    expect(await stored(onEdu)).toEqual(kept);
  });
});

describe("finished runs' staged payloads", () => {
  /** A run's staged records: how many still carry a payload, by kind, and its old-path keys. */
  async function staging(id: string) {
    const rows = await sys().em.execute<{ kind: string; n: number }[]>(
      'select kind, count(*)::int as n from import_record where run_id = ? and payload is not null group by kind',
      [id],
    );
    const [paths] = await sys().em.execute<{ n: number }[]>(
      'select count(*)::int as n from import_old_path where run_id = ?',
      [id],
    );
    return { payloads: Object.fromEntries(rows.map((r) => [r.kind, r.n])), oldPaths: paths!.n };
  }
  const finishedDaysAgo = (id: string, days: number) =>
    sys().em.execute('update import_run set updated_at = ? where id = ?', [new Date(Date.now() - days * DAY), id]);

  it('are cleared once the run has been final for IMPORT_STAGING_RETENTION_DAYS; the rows and outcomes stay', async () => {
    const old = await start(await upload('miyi', await bundle()), `staging-old-${seq}`);
    const recent = await start(await upload('miyi', await bundle()), `staging-recent-${seq}`);
    const inReview = await start(await upload('miyi', await bundle()), `staging-review-${seq}`);
    for (const id of [old, recent, inReview]) expect(await runImport(sys(), id)).toBe('IN_REVIEW');
    const before = await staging(old);
    expect(before).toEqual({ payloads: { COLUMN: 1, ITEM: 1 }, oldPaths: 1 });
    const admin = await t.tokenFor(demo.admin('miyi'));
    for (const id of [old, recent])
      await t.gql('mutation($id: ID!) { cancelImport(id: $id) { state } }', { id }, admin);
    await finishedDaysAgo(old, 31);
    await finishedDaysAgo(inReview, 31);
    await finishedDaysAgo(recent, 29);
    expect(await purgeImportStagingJob(t.platform)).toMatchObject({ runs: 1, records: 2 });
    expect(await staging(old)).toEqual({ payloads: {}, oldPaths: 0 });
    // Not final, or final for less than 30 days: untouched.
    expect(await staging(recent)).toEqual(before);
    expect(await staging(inReview)).toEqual(before);
    // The record of what each legacy record became stays.
    const [item] = await sys().em.execute<{ outcome: string; content_hash: string | null }[]>(
      "select outcome, content_hash from import_record where run_id = ? and kind = 'ITEM'",
      [old],
    );
    expect(item).toMatchObject({ outcome: 'CREATED', content_hash: expect.any(String) });
    // The run is marked cleared: a second run of the job (or a second worker) passes it by.
    const [marked] = await sys().em.execute<{ cleared: boolean }[]>(
      'select staging_cleared_at is not null as cleared from import_run where id = ?',
      [old],
    );
    expect(marked!.cleared).toBe(true);
    expect(await purgeImportStagingJob(t.platform)).toEqual({ runs: 0, records: 0 });
  });
});
