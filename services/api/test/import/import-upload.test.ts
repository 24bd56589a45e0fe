/**
 * Issue 11: an export uploaded through the API (POST /imports/uploads), then imported by reference — a bundle as
 * a zip and the uploads as a zip for `files` — through the media object storage: the API instance keeps nothing,
 * the worker fetches the bytes for its run and removes them afterwards. Who may upload is checked before the body
 * is read; a reference only resolves for the site it was uploaded to.
 */
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runImport } from '@zhanqun/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { craftZip } from '../../../../packages/importers/src/files/zip-craft.test-helper.ts';
import { demo, reasonOf, startTestApp, type TestApp } from '../helpers.ts';
import { adminQuery, photoWithGps } from '../media/fixtures.ts';

let t: TestApp;
const tmp = join(tmpdir(), `zq-import-upload-${process.pid}-${Date.now()}`);
const sys = () => t.platform.systemCtx('test:import-worker');

async function post(site: string, token: string | null, file: { name: string; bytes: Buffer }) {
  const fd = new FormData();
  fd.set('file', new Blob([new Uint8Array(file.bytes)]), file.name);
  const req = new Request('http://localhost/imports/uploads', { method: 'POST', body: fd });
  const res = await t.app.inject({
    method: 'POST',
    url: `/imports/uploads?site=${site}`,
    headers: {
      'content-type': req.headers.get('content-type')!,
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    payload: Buffer.from(await req.arrayBuffer()),
  });
  return { status: res.statusCode, body: res.json() };
}

const bundle = () =>
  craftZip([
    { name: 'bundle.json', data: JSON.stringify({ siteName: '白姑镇人民政府网', baseUrl: 'http://www.baiyi.gov.cn' }) },
    { name: 'columns.jsonl', data: JSON.stringify({ sourceId: '1', name: '村务公开', slug: 'cwgk' }) },
    {
      name: 'items.jsonl',
      data: [
        {
          sourceId: '1',
          columnSourceIds: ['1'],
          slug: 'chungeng-2016',
          title: '白姑镇召开春耕备耕工作会',
          bodyHtml: '<p>会议要求……</p><p><img src="/uploads/allimg/1.jpg"></p>',
          publishedAt: '2016-03-02T10:00:00+08:00',
          oldUrls: ['/cwgk/2016/1.html'],
        },
        {
          sourceId: '2',
          columnSourceIds: ['1'],
          title: '白姑镇村务公开第二期',
          bodyHtml: '<p>第二期</p>',
          publishedAt: '2016-04-02T10:00:00+08:00',
          oldUrls: ['/cwgk/2016/2.html'],
        },
      ]
        .map((i) => JSON.stringify(i))
        .join('\n'),
    },
    // A hostile entry: refused by the extraction, never written outside its folder.
    { name: '../../evil.jsonl', data: 'x' },
  ]);

beforeAll(async () => {
  t = await startTestApp({ env: { IMPORT_DIR: join(tmp, 'import'), MEDIA_TMP_DIR: join(tmp, 'media-tmp') } });
}, 120_000);
afterAll(async () => {
  await t?.close();
});

describe('an export uploaded through the API', () => {
  let sourceRef: string;
  let filesRef: string;

  it('refuses anonymous callers and people who cannot import into the site, before reading the body', async () => {
    const file = { name: 'baigu.zip', bytes: await bundle() };
    const anonymous = await post('miyi', null, file);
    expect(anonymous.status).toBe(401);
    const editor = await post('miyi', await t.tokenFor(demo.editor('miyi')), file);
    expect(editor.status).toBe(403);
    expect(editor.body.error.code).toBe('FORBIDDEN');
  });

  it('keeps the upload in the object storage, by its content address, and nothing on the API’s disk', async () => {
    const admin = await t.tokenFor(demo.admin('miyi'));
    const s = await post('miyi', admin, { name: 'baigu bundle.zip', bytes: await bundle() });
    expect(s.status, JSON.stringify(s.body)).toBe(201);
    expect(s.body.upload).toMatchObject({ name: 'baigu_bundle.zip', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    sourceRef = s.body.upload.ref;
    expect(sourceRef).toBe(`upload:${s.body.upload.sha256}/baigu_bundle.zip`);
    const uploads = await craftZip([{ name: 'uploads/allimg/1.jpg', data: await photoWithGps(32, 24) }]);
    const f = await post('miyi', admin, { name: '附件.zip', bytes: uploads });
    expect(f.status).toBe(201);
    filesRef = f.body.upload.ref;
    const [site] = await adminQuery<{ id: string }>(t, "select id from site where code = 'miyi'");
    expect(await t.platform.media.storage.exists(`imports/${site!.id}/${s.body.upload.sha256}`)).toBe(true);
    expect(readdirSync(join(tmp, 'media-tmp')).filter((n) => n.startsWith('import-'))).toEqual([]);
  });

  it('imports by reference: the zip bundle extracted safely, its images through media, the work copy removed', async () => {
    const res = await t.gql(
      'mutation($i: StartImportInput!) { startImport(input: $i) { id } }',
      { i: { site: 'miyi', source: [sourceRef], files: filesRef, into: '/zwdt/xzdt' } },
      await t.tokenFor(demo.admin('miyi')),
    );
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    const id = res.data!.startImport.id;
    expect(await runImport(sys(), id)).toBe('IN_REVIEW');
    const run = (
      await t.gql(
        'query($id: ID!) { importRun(id: $id) { state error counts label report } }',
        { id },
        await t.tokenFor(demo.admin('miyi')),
      )
    ).data!.importRun;
    expect(run.counts).toMatchObject({ 'ITEM.CREATED': 2, 'COLUMN.CREATED': 1 });
    expect(run.label).toBe('baigu_bundle.zip');
    expect(run.report.missingFiles).toEqual([]);
    const [item] = await adminQuery<{ slug: string; body: string }>(
      t,
      `select i.slug, r.content->>'body' as body from item i join item_revision r on r.id = i.head_revision_id
        where i.import_run_id = $1 and i.source_id = '1'`,
      [id],
    );
    // The legacy slug names the new address; the image came from the uploads zip through media.
    expect(item!.slug).toBe('chungeng-2016');
    expect(item!.body).toMatch(/<img src="\/media\/[0-9a-f-]{36}\/original"/);
    // The run's work directory (the fetched zip, its extraction) is gone; the hostile entry was never written.
    expect(readdirSync(join(tmp, 'media-tmp')).filter((n) => n.startsWith('import-run-'))).toEqual([]);
    expect(readdirSync(tmp)).not.toContain('evil.jsonl');
  });

  it('an IMPORT-scoped API token of the site uploads and imports; a token without the scope cannot upload', async () => {
    const tokenWith = async (scopes: string) =>
      (
        await t.gql(
          `mutation($e: DateTime!) { createApiToken(input: { site: "miyi", name: "迁移脚本 ${scopes}", scopes: [${scopes}], expiresAt: $e }) { token } }`,
          { e: new Date(Date.now() + 86_400_000).toISOString() },
          await t.tokenFor(demo.admin('miyi')),
        )
      ).data!.createApiToken.token as string;
    const importer = await tokenWith('IMPORT');
    const u = await post('miyi', importer, { name: 'baigu.zip', bytes: await bundle() });
    expect(u.status, JSON.stringify(u.body)).toBe(201);
    const started = await t.gql(
      'mutation($i: StartImportInput!) { startImport(input: $i) { id } }',
      { i: { site: 'miyi', source: [u.body.upload.ref], into: '/zwdt/xzdt', commit: false, label: 'token upload' } },
      importer,
    );
    expect(started.errors, JSON.stringify(started.errors)).toBeUndefined();
    expect(await runImport(sys(), started.data!.startImport.id)).toBe('PLANNED');
    const other = await post('miyi', await tokenWith('MANAGE_CONTENT'), { name: 'baigu.zip', bytes: await bundle() });
    expect(other.status).toBe(403);
  });

  it('a reference resolves only for the site it was uploaded to', async () => {
    const other = await t.gql(
      'mutation($i: StartImportInput!) { startImport(input: $i) { id } }',
      { i: { site: 'edu', source: [sourceRef] } },
      await t.tokenFor(demo.admin('edu')),
    );
    expect(reasonOf(other)).toBe('NOT_FOUND');
    const forged = await t.gql(
      'mutation($i: StartImportInput!) { startImport(input: $i) { id } }',
      { i: { site: 'miyi', source: [`upload:${'0'.repeat(64)}/x.xml`] } },
      await t.tokenFor(demo.admin('miyi')),
    );
    expect(reasonOf(forged)).toBe('NOT_FOUND');
  });
});
