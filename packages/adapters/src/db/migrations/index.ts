import { readFileSync } from 'node:fs';
import { Migration } from '@mikro-orm/migrations';

/** Each migration is a committed .sql file, applied in order, once, by the schema owner. */
function sqlMigration(name: string) {
  const sql = readFileSync(new URL(`./${name}.sql`, import.meta.url), 'utf8');
  return {
    name,
    class: class extends Migration {
      override up(): void {
        this.addSql(sql);
      }
    },
  };
}

export const migrationsList = [sqlMigration('0001_foundation')];
