import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOf, demo, reasonOf, startTestApp, type TestApp } from './helpers.ts';

let t: TestApp;
let token: string;

const TREE =
  '{ site(code: "miyi") { columns { id code path locked sortOrder children { id code path children { id code path } } } } }';
type Col = { id: string; code: string; path: string; locked: boolean; sortOrder: number; children: Col[] };

async function tree(): Promise<Col[]> {
  return (await t.gql(TREE, {}, token)).data!.site.columns;
}
const find = (cols: Col[], path: string): Col | undefined => {
  for (const c of cols) {
    if (c.path === path) return c;
    const hit = find(c.children ?? [], path);
    if (hit) return hit;
  }
  return undefined;
};
const create = (input: Record<string, unknown>) =>
  t.gql(
    'mutation($i: CreateColumnInput!) { createColumn(input: $i) { id code path sortOrder } }',
    { i: { site: 'miyi', ...input } },
    token,
  );
const move = (input: Record<string, unknown>) =>
  t.gql('mutation($i: MoveColumnInput!) { moveColumn(input: $i) { id path sortOrder } }', { i: input }, token);

beforeAll(async () => {
  t = await startTestApp();
  token = await t.tokenFor(demo.admin('miyi'));
});
afterAll(async () => {
  await t?.close();
});

describe('columns', () => {
  it('creates a subtree with derived paths', async () => {
    const top = await create({ code: 'xczx', name: '乡村振兴', updateClass: 'DYNAMIC_2W' });
    expect(top.data!.createColumn.path).toBe('/xczx');
    const child = await create({ code: 'cyfz', name: '产业发展', parentId: top.data!.createColumn.id });
    expect(child.data!.createColumn.path).toBe('/xczx/cyfz');
    const grand = await create({ code: 'tsny', name: '特色农业', parentId: child.data!.createColumn.id });
    expect(grand.data!.createColumn.path).toBe('/xczx/cyfz/tsny');
  });

  it('refuses a sibling with the same code, and bad input, naming the field', async () => {
    const dup = await create({ code: 'xczx', name: '重复' });
    expect([codeOf(dup), dup.errors![0]!.extensions.field]).toEqual(['CONFLICT', 'code']);
    const bad = await create({ code: 'Bad Code', name: 'x' });
    expect([codeOf(bad), bad.errors![0]!.extensions.field]).toEqual(['BAD_USER_INPUT', 'code']);
    const link = await create({ code: 'lnk', name: '链接', type: 'LINK' });
    expect([codeOf(link), link.errors![0]!.extensions.field]).toEqual(['BAD_USER_INPUT', 'linkUrl']);
  });

  it('moves a column with its subtree; paths follow', async () => {
    const cols = await tree();
    const cyfz = find(cols, '/xczx/cyfz')!;
    const zwdt = find(cols, '/zwdt')!;
    const r = await move({ id: cyfz.id, parentId: zwdt.id, position: 0 });
    expect(r.data!.moveColumn.path).toBe('/zwdt/cyfz');
    const after = await tree();
    expect(find(after, '/zwdt/cyfz/tsny')).toBeDefined();
    expect(find(after, '/xczx/cyfz')).toBeUndefined();
    expect(find(after, '/zwdt')!.children[0]!.code).toBe('cyfz');
  });

  it('refuses cycles', async () => {
    const cols = await tree();
    const cyfz = find(cols, '/zwdt/cyfz')!;
    const tsny = find(cols, '/zwdt/cyfz/tsny')!;
    expect(reasonOf(await move({ id: cyfz.id, parentId: tsny.id, position: 0 }))).toBe('COLUMN_CYCLE');
    expect(reasonOf(await move({ id: cyfz.id, parentId: cyfz.id, position: 0 }))).toBe('COLUMN_CYCLE');
  });

  it('reorders among siblings', async () => {
    const before = (await tree()).map((c) => c.code);
    const last = (await tree()).at(-1)!;
    await move({ id: last.id, position: 0 });
    const after = await tree();
    expect(after.map((c) => c.code)).toEqual([last.code, ...before.filter((c) => c !== last.code)]);
    expect(after.map((c) => c.sortOrder)).toEqual(after.map((_, i) => (i + 1) * 10));
  });

  it('renames a column, and the subtree paths follow its new code', async () => {
    const cyfz = find(await tree(), '/zwdt/cyfz')!;
    const r = await t.gql(
      'mutation($id: ID!) { updateColumn(input: { id: $id, code: "cy", name: "产业" }) { path name } }',
      { id: cyfz.id },
      token,
    );
    expect(r.data!.updateColumn).toEqual({ path: '/zwdt/cy', name: '产业' });
    expect(find(await tree(), '/zwdt/cy/tsny')).toBeDefined();
  });

  it('protects locked template columns from renaming, moving and deletion, but lets them be hidden', async () => {
    const zwgk = find(await tree(), '/zwgk')!;
    const guide = find(await tree(), '/zwgk/xxgkzn')!;
    expect(zwgk.locked).toBe(true);
    const rename = await t.gql(
      'mutation($id: ID!) { updateColumn(input: { id: $id, name: "改名" }) { id } }',
      { id: guide.id },
      token,
    );
    expect(reasonOf(rename)).toBe('COLUMN_LOCKED');
    expect(reasonOf(await move({ id: guide.id, parentId: null, position: 0 }))).toBe('COLUMN_LOCKED');
    expect(reasonOf(await t.gql('mutation($id: ID!) { deleteColumn(id: $id) }', { id: guide.id }, token))).toBe(
      'COLUMN_LOCKED',
    );
    const hide = await t.gql(
      'mutation($id: ID!) { updateColumn(input: { id: $id, visible: false }) { visible } }',
      { id: guide.id },
      token,
    );
    expect(hide.data!.updateColumn.visible).toBe(false);
  });

  it('deletes only empty columns', async () => {
    const cy = find(await tree(), '/zwdt/cy')!;
    const full = await t.gql('mutation($id: ID!) { deleteColumn(id: $id) }', { id: cy.id }, token);
    expect(reasonOf(full)).toBe('COLUMN_NOT_EMPTY');
    const tsny = find(await tree(), '/zwdt/cy/tsny')!;
    expect((await t.gql('mutation($id: ID!) { deleteColumn(id: $id) }', { id: tsny.id }, token)).data).toEqual({
      deleteColumn: tsny.id,
    });
    expect((await t.gql('mutation($id: ID!) { deleteColumn(id: $id) }', { id: cy.id }, token)).data).toEqual({
      deleteColumn: cy.id,
    });
    expect(find(await tree(), '/zwdt/cy')).toBeUndefined();
  });

  it('hides invisible columns from the public', async () => {
    // (blank columns are not public either: sites-public.test.ts shows columns appearing with their content)
    const pub = await t.gql('{ site(code: "miyi") { columns { code children { code } } } }');
    const codes = (pub.data!.site.columns as { code: string; children: { code: string }[] }[]).flatMap((c) => [
      c.code,
      ...c.children.map((k) => k.code),
    ]);
    expect(codes).not.toContain('xxgkzn');
  });

  it('records every change in the audit log', async () => {
    const log = await t.gql(
      '{ auditLog(site: "miyi", first: 50) { edges { node { action actor { name } changes } } } }',
      {},
      token,
    );
    const actions = log.data!.auditLog.edges.map((e: { node: { action: string } }) => e.node.action);
    expect(actions).toEqual(
      expect.arrayContaining(['column.create', 'column.move', 'column.reorder', 'column.update', 'column.delete']),
    );
    const move = log.data!.auditLog.edges.find(
      (e: { node: { action: string } }) => e.node.action === 'column.move',
    ).node;
    expect(move.changes.path).toEqual(['/xczx/cyfz', '/zwdt/cyfz']);
    expect(move.actor.name).toBe('米易县人民政府站点管理员');
  });
});
