import type { Column } from './column.entity.ts';

/**
 * Which visible columns the public may see (2017 §1.3; 检查指标 空白栏目: a blank public column is an
 * inspection failure). A column is shown only when it holds something:
 * - a LINK column, its URL (without one it is never public, whatever its visibility);
 * - any other column, a live item placed in it, or a shown column below it.
 * Pure: `live` is the set of column ids with at least one live placement.
 */
export function publicColumns<C extends Pick<Column, 'id' | 'parentId' | 'type' | 'linkUrl' | 'visible'>>(
  columns: C[],
  live: ReadonlySet<string>,
): C[] {
  const visible = columns.filter((c) => c.visible);
  const children = new Map<string, C[]>();
  for (const c of visible) {
    if (!c.parentId) continue;
    const list = children.get(c.parentId) ?? [];
    list.push(c);
    children.set(c.parentId, list);
  }
  const memo = new Map<string, boolean>();
  // Iterative post-order (trees are shallow, but a stack of our own costs nothing and cannot overflow).
  const holds = (root: C): boolean => {
    const stack: [C, boolean][] = [[root, false]];
    while (stack.length) {
      const [c, expanded] = stack.pop()!;
      if (memo.has(c.id)) continue;
      const kids = children.get(c.id) ?? [];
      if (!expanded) {
        stack.push([c, true]);
        for (const k of kids) if (!memo.has(k.id)) stack.push([k, false]);
        continue;
      }
      const own = c.type === 'LINK' ? !!c.linkUrl : live.has(c.id);
      memo.set(c.id, own || kids.some((k) => memo.get(k.id)));
    }
    return memo.get(root.id)!;
  };
  return visible.filter((c) => (c.type === 'LINK' ? !!c.linkUrl : holds(c)));
}
