import { readFileSync } from 'node:fs';
import { Migration } from '@mikro-orm/migrations';
import { WorkdaySeedMigration } from './0003_workday_seed.ts';

/** Migrations are applied in order, once, by the schema owner; most are a committed .sql file. */
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

export const migrationsList = [
  sqlMigration('0001_foundation'),
  sqlMigration('0002_content'),
  // Generated from the pinned chinese-days package rather than committed as 600 lines of literal rows.
  { name: '0003_workday_seed', class: WorkdaySeedMigration },
  sqlMigration('0004_search'),
  sqlMigration('0005_public_read_path'),
  sqlMigration('0006_review_hardening'),
  sqlMigration('0007_account_care_audit_anchor'),
  sqlMigration('0008_item_listing'),
  sqlMigration('0009_media'),
  sqlMigration('0010_interaction'),
  sqlMigration('0012_delivery'),
  sqlMigration('0014_ops_metrics'),
  sqlMigration('0015_disclosure_request'),
  sqlMigration('0016_import'),
  sqlMigration('0017_archived_sites_not_public'),
  sqlMigration('0018_interviews_surveys'),
  sqlMigration('0019_webhooks'),
  sqlMigration('0020_public_route'),
  sqlMigration('0021_import_lookups'),
  sqlMigration('0023_webhook_retention'),
  sqlMigration('0024_search_column_labels'),
  sqlMigration('0025_public_content_version'),
  sqlMigration('0026_public_page_reads'),
  sqlMigration('0027_import_upload_retention'),
  sqlMigration('0028_import_lookups_leakproof'),
  sqlMigration('0029_import_staging_cleared'),
  sqlMigration('0030_syndicated_owner_status'),
  sqlMigration('0031_rls_once_per_statement'),
  sqlMigration('0032_import_staging_analyze'),
  sqlMigration('0033_public_functions_bound'),
  sqlMigration('0034_definer_search_path'),
  sqlMigration('0035_import_staging_lean'),
  sqlMigration('0036_import_item_statistics'),
  sqlMigration('0037_public_content_touch_visible'),
];
