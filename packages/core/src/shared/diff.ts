/** What changed between two snapshots, for the audit record: { field: [before, after] }. */
export function diffFields(before: Record<string, unknown>, after: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(after)) {
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key]))
      out[key] = [before[key] ?? null, after[key] ?? null];
  }
  return out;
}
