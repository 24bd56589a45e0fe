import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { inject } from 'vitest';
import { APP_ROLE, databaseUrl, OWNER_ROLE, onDatabase, withClient } from './db/bootstrap.ts';
import './provided.ts';

export interface TestDatabase {
  /** t_<random> */
  name: string;
  /** As zhanqun_app: what the application connects as (row-level security applies). */
  appUrl: string;
  /** As zhanqun_owner: the schema owner (FORCE row-level security applies to it too). */
  ownerUrl: string;
  /** As the superuser, on this database (bypasses row-level security: for fixtures and inspection only). */
  adminUrl: string;
  /** Ends every session on it and drops it. */
  drop(): Promise<void>;
}

/** A fresh, migrated database cloned from the run's template (about 30 ms on PG 18). */
export async function createTestDatabase(): Promise<TestDatabase> {
  const adminUrl = inject('pgAdminUrl');
  const template = inject('pgTemplateDb');
  const name = `t_${randomBytes(8).toString('hex')}`;
  await withClient(adminUrl, async (c) => {
    const sql = `create database ${name} template ${c.escapeIdentifier(template)} owner ${OWNER_ROLE}`;
    for (let attempt = 0; ; attempt++) {
      try {
        await c.query(sql);
        return;
      } catch (e) {
        // 55006 object_in_use: a session on the template has not quite gone yet; it will, shortly.
        if ((e as { code?: string }).code !== '55006' || attempt >= 20) throw e;
        await delay(50);
      }
    }
  });
  let dropped: Promise<void> | undefined;
  return {
    name,
    appUrl: databaseUrl(adminUrl, APP_ROLE, inject('pgAppPassword'), name),
    ownerUrl: databaseUrl(adminUrl, OWNER_ROLE, inject('pgOwnerPassword'), name),
    adminUrl: onDatabase(adminUrl, name),
    drop() {
      // WITH (FORCE) terminates the remaining sessions (a pool the test forgot to close) before dropping.
      dropped ??= withClient(adminUrl, async (c) => {
        await c.query(`drop database if exists ${name} with (force)`);
      });
      return dropped;
    },
  };
}
