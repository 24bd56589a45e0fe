import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

/** Generated once per checkout and kept in .data/secrets.json (git-ignored), so restarts keep working. */
export interface DevSecrets {
  /** The embedded cluster's `postgres` superuser; fixed when the cluster is first initialised. */
  pgSuperuserPassword: string;
  ownerPassword: string;
  appPassword: string;
  jwtSecret: string;
  meiliMasterKey: string;
  /** The reference theme's API token, added after the API first starts (theme-token.ts). */
  themeApiToken?: { token: string; expiresAt: string };
}

const generate = (bytes: number) => randomBytes(bytes).toString('base64url');

export function loadOrCreateSecrets(file: string): { secrets: DevSecrets; created: boolean } {
  if (existsSync(file)) {
    const stored = JSON.parse(readFileSync(file, 'utf8')) as Partial<DevSecrets>;
    const keys: (keyof DevSecrets)[] = [
      'pgSuperuserPassword',
      'ownerPassword',
      'appPassword',
      'jwtSecret',
      'meiliMasterKey',
    ];
    const missing = keys.filter((k) => typeof stored[k] !== 'string' || stored[k] === '');
    if (missing.length > 0) throw new Error(`${file} lacks ${missing.join(', ')}; delete .data/ to start afresh`);
    return { secrets: stored as DevSecrets, created: false };
  }
  const secrets: DevSecrets = {
    pgSuperuserPassword: generate(18),
    ownerPassword: generate(18),
    appPassword: generate(18),
    jwtSecret: generate(48),
    meiliMasterKey: generate(24),
  };
  writeFileSync(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  return { secrets, created: true };
}
