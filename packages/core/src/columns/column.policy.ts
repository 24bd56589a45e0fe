import { AppError } from '../errors/app-error.ts';

export const COLUMN_CODE = /^[a-z0-9][a-z0-9-]{0,47}$/;

/** A column's path is its ancestors' codes: /zwgk/fdzdgknr/zcwj. */
export function columnPath(parentPath: string | null, code: string): string {
  return `${parentPath ?? ''}/${code}`;
}

export function isSameOrBelow(path: string, ancestorPath: string): boolean {
  return path === ancestorPath || path.startsWith(`${ancestorPath}/`);
}

/** Moving a column under itself or its descendants would make a cycle. */
export function checkMoveTarget(movingPath: string, newParentPath: string | null): void {
  if (newParentPath !== null && isSameOrBelow(newParentPath, movingPath)) {
    throw new AppError('COLUMN_CYCLE', undefined, { field: 'parentId' });
  }
}

/** The path of a subtree member after its subtree root moved from `oldRoot` to `newRoot`. */
export function rebasePath(path: string, oldRoot: string, newRoot: string): string {
  if (!isSameOrBelow(path, oldRoot)) throw new Error(`${path} is not under ${oldRoot}`);
  return newRoot + path.slice(oldRoot.length);
}

/** Sort orders 10, 20, 30… leave room; a reorder renumbers the whole sibling list in the order given. */
export function renumber<T extends { id: string }>(
  siblings: T[],
  movedId: string,
  position: number,
): Map<string, number> {
  const rest = siblings.filter((s) => s.id !== movedId);
  const at = Math.max(0, Math.min(position, rest.length));
  const ordered = [...rest.slice(0, at).map((s) => s.id), movedId, ...rest.slice(at).map((s) => s.id)];
  return new Map(ordered.map((id, i) => [id, (i + 1) * 10]));
}
