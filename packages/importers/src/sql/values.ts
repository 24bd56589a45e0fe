/** Small helpers shared by the SQL-dump adapters (DedeCMS, PHPCMS): typed reads of row values, dates, MIME types. */
import { extname } from 'node:path';
import { repairLatin1Mojibake } from '../text/encoding.ts';
import { type SqlValue, decodeBytes } from './tokenizer.ts';

export type Row = Record<string, SqlValue>;

export function str(v: SqlValue | undefined): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  // _binary / hex literals: UTF-8 when valid, otherwise GB18030
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(v);
  } catch {
    return decodeBytes(v, 'gb18030');
  }
}

export function int(v: SqlValue | undefined): number {
  if (typeof v === 'number') return Math.trunc(v);
  const n = Number.parseInt(str(v), 10);
  return Number.isFinite(n) ? n : 0;
}

/** A legacy unix time (seconds) as ISO 8601 in China time (`+08:00`); null for 0/empty (never "now"). */
export function unixToIso(v: SqlValue | undefined): string | null {
  const s = int(v);
  if (s <= 0) return null;
  return `${new Date((s + 8 * 3600) * 1000).toISOString().slice(0, 19)}+08:00`;
}

/** Year, month, day (zero-padded) of a unix time in China time, as PHP `date('Y-m-d')` under PRC gives them. */
export function chinaDate(seconds: number): { y: string; m: string; d: string } {
  const iso = new Date((seconds + 8 * 3600) * 1000).toISOString();
  return { y: iso.slice(0, 4), m: iso.slice(5, 7), d: iso.slice(8, 10) };
}

export function keywords(v: SqlValue | undefined): string[] {
  return str(v)
    .split(/[,，、\s]+/)
    .map((k) => k.trim())
    .filter(Boolean);
}

const MIME: Record<string, string> = {
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.gif': 'image/gif',
  '.bmp': 'image/bmp',
  '.webp': 'image/webp',
  '.pdf': 'application/pdf',
  '.doc': 'application/msword',
  '.docx': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  '.xls': 'application/vnd.ms-excel',
  '.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  '.ppt': 'application/vnd.ms-powerpoint',
  '.pptx': 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  '.wps': 'application/vnd.ms-works',
  '.zip': 'application/zip',
  '.rar': 'application/vnd.rar',
  '.txt': 'text/plain',
  '.swf': 'application/x-shockwave-flash',
  '.mp4': 'video/mp4',
  '.flv': 'video/x-flv',
  '.mp3': 'audio/mpeg',
};

export function mimeFromName(name: string): string | null {
  return MIME[extname(name.split('?')[0] ?? '').toLowerCase()] ?? null;
}

/**
 * Text of a row field, with GBK-stored-as-Latin-1 mojibake repaired when the file was UTF-8 (a GBK site on a
 * latin1 table exported as UTF-8; legacy-formats.md §8.5). `onRepair` is told so the adapter can warn.
 */
export function textOf(v: SqlValue | undefined, encoding: string, onRepair: () => void): string {
  const s = str(v);
  if (encoding !== 'utf-8') return s;
  const r = repairLatin1Mojibake(s);
  if (r.repaired) onRepair();
  return r.text;
}

/** Sort records so that a parent always comes before its children (unknown parents count as roots). */
export function parentsFirst<T>(items: T[], id: (t: T) => string, parent: (t: T) => string | null): T[] {
  const byId = new Map(items.map((t) => [id(t), t]));
  const out: T[] = [];
  const seen = new Set<string>();
  const visit = (t: T, depth: number) => {
    const k = id(t);
    if (seen.has(k)) return;
    const p = parent(t);
    if (p && depth < 100) {
      const pt = byId.get(p);
      if (pt) visit(pt, depth + 1);
    }
    if (seen.has(k)) return;
    seen.add(k);
    out.push(t);
  };
  for (const t of items) visit(t, 0);
  return out;
}
