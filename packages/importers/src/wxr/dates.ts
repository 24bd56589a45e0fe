/**
 * WordPress dates. `wp:post_date_gmt` is the instant; `0000-00-00 00:00:00` means "never published in GMT" (drafts,
 * and many imported/migrated posts). Then `wp:post_date` is the site's local wall time, which for a Chinese
 * government site is China time (legacy-formats.md §1: "ISO 8601 with +08:00 unless the source gives GMT").
 * Results are ISO 8601 in the site's offset, so the legacy date reads as the site showed it.
 */

/** `+08:00` → 480. Throws on a malformed offset (it is a configuration value). */
export function offsetMinutes(offset: string): number {
  if (offset === 'Z') return 0;
  const m = /^([+-])(\d{2}):?(\d{2})$/.exec(offset);
  if (!m) throw new Error(`not a UTC offset: ${offset}`);
  const minutes = Number(m[2]) * 60 + Number(m[3]);
  if (minutes > 14 * 60) throw new Error(`not a UTC offset: ${offset}`);
  return m[1] === '-' ? -minutes : minutes;
}

function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const a = Math.abs(minutes);
  return `${sign}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** `YYYY-MM-DD HH:MM:SS` as fields, or null when it is the zero date or not a real calendar time. */
function parseMysqlDate(value: string | null | undefined): number | null {
  const m = /^\s*(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?\s*$/.exec(value ?? '');
  if (!m) return null;
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4] ?? '0', m[5] ?? '0', m[6] ?? '0'].map(Number) as number[];
  if (y! < 1970 || mo! < 1 || mo! > 12 || d! < 1 || d! > 31 || h! > 23 || mi! > 59 || s! > 59) return null;
  const t = Date.UTC(y!, mo! - 1, d!, h!, mi!, s!);
  // 2021-02-30 rolls over in Date.UTC: refuse it rather than invent a date.
  if (new Date(t).getUTCDate() !== d) return null;
  return t;
}

function iso(utcMillis: number, offset: number): string {
  const local = new Date(utcMillis + offset * 60_000);
  return (
    `${local.getUTCFullYear()}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}` +
    `T${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}${formatOffset(offset)}`
  );
}

/**
 * The item's time: GMT when present, else local wall time in `siteOffset`, else the RSS `pubDate`
 * (RFC 822, carries its own zone). Null when none is usable.
 */
export function wordpressDate(
  gmt: string | null | undefined,
  local: string | null | undefined,
  siteOffset: string,
  rssPubDate?: string | null,
): { iso: string; from: 'gmt' | 'local' | 'rss' } | null {
  const offset = offsetMinutes(siteOffset);
  const g = parseMysqlDate(gmt);
  if (g !== null) return { iso: iso(g, offset), from: 'gmt' };
  const l = parseMysqlDate(local);
  if (l !== null) return { iso: iso(l - offset * 60_000, offset), from: 'local' };
  if (rssPubDate && /\d{4}/.test(rssPubDate)) {
    const t = Date.parse(rssPubDate);
    if (!Number.isNaN(t) && t > 0) return { iso: iso(t, offset), from: 'rss' };
  }
  return null;
}
