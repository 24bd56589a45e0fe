import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEDE_SCHEMA, dedeColumns } from '../dedecms/schema.ts';
import { PHPCMS_SCHEMA, phpcmsColumns } from '../phpcms/schema.ts';
import { SqlStatementReader } from './tokenizer.ts';

// the shared corpora sit next to the repository (../shared/corpora); see shared/corpora/README.md
const corpora = new URL('../../../../../shared/corpora/', import.meta.url);
const dede = new URL('dedecms/sql-dftables.txt', corpora);
const phpcms = new URL('phpcms/phpcms_db.sql', corpora);

/** Column names of every CREATE TABLE of a file, read by our own tokenizer. */
function tables(path: URL): Map<string, string[]> {
  const r = new SqlStatementReader({ encoding: 'utf-8', multibyteAware: false });
  const ev = [...r.push(readFileSync(path)), ...r.end()];
  return new Map(ev.flatMap((e) => (e.kind === 'create' ? [[e.table, e.columns.map((c) => c.name)] as const] : [])));
}

describe('embedded schemas', () => {
  it.skipIf(!existsSync(dede))('DedeCMS tables are the ones of install/sql-dftables.txt', () => {
    const t = tables(dede);
    expect(t.size).toBeGreaterThan(50);
    for (const name of Object.keys(DEDE_SCHEMA)) expect(dedeColumns(name)).toEqual(t.get(`#@__${name}`));
  });
  it.skipIf(!existsSync(phpcms))('PHPCMS tables are the ones of install/main/phpcms_db.sql', () => {
    const t = tables(phpcms);
    expect(t.size).toBeGreaterThan(50);
    for (const name of Object.keys(PHPCMS_SCHEMA)) expect(phpcmsColumns(name)).toEqual(t.get(`phpcms_${name}`));
  });
});
