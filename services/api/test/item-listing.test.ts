/**
 * Issue 10: public lists read a projection (item_listing) written with the publication, never the revisions.
 * Each case checks the public list and the stored rows after a change: publish, draft edit of a live item,
 * re-publish, extra placement, withdraw, hide / show, merge and close a column.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demo, startTestApp, type TestApp } from './helpers.ts';

let t: TestApp;
let owner: pg.Client;
const tok: Record<string, string> = {};
const gql = (who: string, query: string, variables?: Record<string, unknown>) =>
  t.gql(query, variables, who ? tok[who] : undefined);

async function create(title: string, column = '/zwdt/yw', extra: Record<string, unknown> = {}) {
  const r = await gql('editor', 'mutation($i: CreateItemInput!) { createItem(input: $i) { id } }', {
    i: {
      site: 'miyi',
      column,
      kind: 'ARTICLE',
      title,
      summary: `${title}的摘要`,
      source: '米易县融媒体中心',
      body: `<p>${title}的正文，只在信息页出现。</p>`,
      ...extra,
    },
  });
  if (!r.data) throw new Error(JSON.stringify(r.errors));
  return r.data.createItem.id as string;
}
async function publish(id: string) {
  await gql('editor', 'mutation($id: ID!) { submitItem(id: $id) { state } }', { id });
  await gql('editor', 'mutation($id: ID!) { signOff(input: { id: $id }) { state } }', { id });
  await gql('reviewer', 'mutation($id: ID!) { signOff(input: { id: $id }) { state } }', { id });
  const r = await gql('approver', 'mutation($id: ID!) { signOff(input: { id: $id }) { state } }', { id });
  expect(r.data?.signOff.state, JSON.stringify(r.errors)).toBe('PUBLISHED');
}
/** The public list of a column (anonymous: the one-statement path through zq_public_items). */
async function publicList(column: string | null, site = 'miyi') {
  const r = await t.gql(
    'query($s: String!, $c: String) { items(site: $s, column: $c, first: 100) { edges { node { id title summary revision } } } }',
    {
      s: site,
      c: column,
    },
  );
  return r.data!.items.edges.map((e: { node: unknown }) => e.node) as {
    id: string;
    title: string;
    summary: string;
    revision: number;
  }[];
}
async function listingRows(itemId: string) {
  const { rows } = await owner.query(
    `select l.column_id, c.path, l.home, l.revision_number, l.content from item_listing l
       join site_column c on c.id = l.column_id where l.item_id = $1 order by c.path`,
    [itemId],
  );
  return rows as {
    column_id: string;
    path: string;
    home: boolean;
    revision_number: number;
    content: Record<string, unknown>;
  }[];
}
async function columnId(path: string) {
  const { rows } = await owner.query(
    "select c.id from site_column c join site s on s.id = c.site_id where s.code = 'miyi' and c.path = $1",
    [path],
  );
  return rows[0].id as string;
}

beforeAll(async () => {
  t = await startTestApp();
  owner = new pg.Client({ connectionString: t.db.ownerUrl });
  await owner.connect();
  for (const [k, email] of Object.entries({
    editor: demo.editor('miyi'),
    reviewer: demo.reviewer('miyi'),
    approver: demo.approver('miyi'),
    admin: demo.admin('miyi'),
  })) {
    tok[k] = await t.tokenFor(email);
  }
});
afterAll(async () => {
  await owner?.end();
  await t?.close();
});

describe('the list projection follows the publication', () => {
  it('is written by the publication, without the body; a draft is never listed', async () => {
    const id = await create('县政府召开常务会议');
    expect(await listingRows(id)).toEqual([]);
    expect((await publicList('/zwdt/yw')).map((n) => n.id)).not.toContain(id);
    await publish(id);
    const rows = await listingRows(id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ path: '/zwdt/yw', home: true, revision_number: 1 });
    expect(rows[0]!.content).toMatchObject({ title: '县政府召开常务会议', summary: '县政府召开常务会议的摘要' });
    expect(rows[0]!.content).not.toHaveProperty('body');
    expect((await publicList('/zwdt/yw')).find((n) => n.id === id)).toMatchObject({ title: '县政府召开常务会议' });
    expect((await publicList(null)).map((n) => n.id)).toContain(id);
  });

  it('is what the public list reads (not the revisions)', async () => {
    const id = await create('关于开展安全生产检查的通知');
    await publish(id);
    // Only the projection says this; had the list read the revision, it would show the published title.
    await owner.query(
      `update item_listing set content = jsonb_set(content, '{title}', '"投影中的标题"') where item_id = $1`,
      [id],
    );
    expect((await publicList('/zwdt/yw')).find((n) => n.id === id)?.title).toBe('投影中的标题');
    // The item page reads the revision.
    expect((await t.gql(`{ item(id: "${id}") { title } }`)).data!.item.title).toBe('关于开展安全生产检查的通知');
  });

  it('is unchanged by a draft edit of a live item, and follows the re-publication', async () => {
    const id = await create('米易县第一季度经济运行情况');
    await publish(id);
    const before = await listingRows(id);
    await gql(
      'editor',
      `mutation { updateItem(input: { id: "${id}", title: "米易县第一季度经济运行情况（修订）" }) { state } }`,
    );
    expect(await listingRows(id)).toEqual(before);
    expect((await publicList('/zwdt/yw')).find((n) => n.id === id)).toMatchObject({
      title: '米易县第一季度经济运行情况',
      revision: 1,
    });
    await publish(id);
    expect((await listingRows(id))[0]).toMatchObject({ revision_number: 2 });
    expect((await publicList('/zwdt/yw')).find((n) => n.id === id)).toMatchObject({
      title: '米易县第一季度经济运行情况（修订）',
      revision: 2,
    });
  });

  it('lists a live item in a column it is added to, and drops it on withdrawal', async () => {
    const id = await create('防汛工作部署');
    await publish(id);
    await gql('editor', `mutation { updateItem(input: { id: "${id}", alsoIn: ["/zwdt/tzgg"] }) { id } }`);
    expect((await listingRows(id)).map((r) => [r.path, r.home])).toEqual([
      ['/zwdt/tzgg', false],
      ['/zwdt/yw', true],
    ]);
    expect((await publicList('/zwdt/tzgg')).map((n) => n.id)).toContain(id);
    const w = await gql('approver', `mutation { withdrawItem(id: "${id}", reason: "信息有误") { state } }`);
    expect(w.data!.withdrawItem.state).toBe('WITHDRAWN');
    expect(await listingRows(id)).toEqual([]);
    expect((await publicList('/zwdt/yw')).map((n) => n.id)).not.toContain(id);
    expect((await publicList('/zwdt/tzgg')).map((n) => n.id)).not.toContain(id);
  });
});

describe('the list projection follows the columns', () => {
  it('drops the items of a hidden column and brings them back when it is shown', async () => {
    const id = await create('上级精神传达学习', '/zwdt/sjjs');
    await publish(id);
    const col = await columnId('/zwdt/sjjs');
    await gql('admin', `mutation { updateColumn(input: { id: "${col}", visible: false }) { visible } }`);
    expect(await listingRows(id)).toEqual([]);
    expect((await publicList(null)).map((n) => n.id)).not.toContain(id);
    await gql('admin', `mutation { updateColumn(input: { id: "${col}", visible: true }) { visible } }`);
    expect((await listingRows(id)).map((r) => r.path)).toEqual(['/zwdt/sjjs']);
    expect((await publicList('/zwdt/sjjs')).map((n) => n.id)).toContain(id);
  });

  it('moves the items of a merged column to the target, and drops those of a closed one', async () => {
    const merged = await create('图片新闻一则', '/zwdt/tpsp');
    await publish(merged);
    const r = await gql(
      'admin',
      `mutation { mergeColumn(id: "${await columnId('/zwdt/tpsp')}", into: "${await columnId('/zwdt/yw')}") { status } }`,
    );
    expect(r.data!.mergeColumn.status).toBe('MERGED');
    expect((await listingRows(merged)).map((x) => [x.path, x.home])).toEqual([['/zwdt/yw', true]]);
    expect((await publicList('/zwdt/yw')).map((n) => n.id)).toContain(merged);

    const closed = await create('部门动态一则', '/zwdt/bmdt');
    await publish(closed);
    await gql('admin', `mutation { closeColumn(id: "${await columnId('/zwdt/bmdt')}") { status } }`);
    expect(await listingRows(closed)).toEqual([]);
    expect((await publicList(null)).map((n) => n.id)).not.toContain(closed);
  });
});

describe('nothing foreign or unpublished is listed', () => {
  it('lists no item of another site, and no draft, scheduled or withdrawn item', async () => {
    const id = await create('米易县的信息');
    await publish(id);
    expect((await publicList(null, 'edu')).map((n) => n.id)).not.toContain(id);
    expect((await publicList('/zwdt/yw', 'edu')).map((n) => n.id)).not.toContain(id);
    // Every listed row is a live item (published, not withdrawn) of the site in a visible open column.
    const { rows } = await owner.query(`
      select count(*)::int as bad from item_listing l
        join item i on i.id = l.item_id
        join site_column c on c.id = l.column_id
       where i.published_revision_id is null or i.withdrawn_at is not null or not c.visible or c.status <> 'OPEN'
          or c.site_id <> l.site_id or l.revision_id <> i.published_revision_id`);
    expect(rows[0].bad).toBe(0);
  });
});
