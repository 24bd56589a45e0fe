/**
 * Dates as legacy government pages write them (legacy-formats.md §8.1, §8.4): `2022-04-17 14:46:00`,
 * `2026-09-30 17:18`, `2020年08月02日`, `2019/3/5`, `2019.03.05`. A date without zone is China time (+08:00).
 */

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * A labelled byline date: 发布时间：2019-03-05 10:20, 发布日期: 2019年3月5日, 日期：…, 更新时间：… (§8.4). A label
 * right after another Chinese character is not one (会议时间：, 截止日期：): those are dates in the text.
 */
export const BYLINE_DATE =
  /(?<![\u4e00-\u9fff])(?:发布|发文|更新|公开|成文)?(?:时间|日期)\s*[:：]\s*(\d{4})\s*[-年/.]\s*(\d{1,2})\s*[-月/.]\s*(\d{1,2})\s*日?(?:\s*(\d{1,2})[:：](\d{2})(?:[:：](\d{2}))?)?/;

/** Any full date in text, labelled or not. */
export const ANY_DATE =
  /(\d{4})\s*[-年/.]\s*(\d{1,2})\s*[-月/.]\s*(\d{1,2})\s*日?(?:\s*(\d{1,2})[:：](\d{2})(?:[:：](\d{2}))?)?/;

function valid(y: number, m: number, d: number): boolean {
  if (y < 1990 || y > 2100 || m < 1 || m > 12 || d < 1 || d > 31) return false;
  const dt = new Date(Date.UTC(y, m - 1, d));
  return dt.getUTCMonth() === m - 1;
}

/** Build `YYYY-MM-DDTHH:mm:ss+08:00` from regex groups (year, month, day, hour?, minute?, second?). */
export function isoFromParts(parts: (string | undefined)[]): string | null {
  const [y, m, d, h, mi, s] = parts.map((x) => (x === undefined ? undefined : Number(x)));
  if (y === undefined || m === undefined || d === undefined || !valid(y, m, d)) return null;
  const hh = h !== undefined && h < 24 ? h : 0;
  const mm = mi !== undefined && mi < 60 ? mi : 0;
  const ss = s !== undefined && s < 60 ? s : 0;
  return `${y}-${pad(m)}-${pad(d)}T${pad(hh)}:${pad(mm)}:${pad(ss)}+08:00`;
}

/** Parse a date written in any of the legacy forms; null when there is none. */
export function parseLegacyDate(text: string | null | undefined): string | null {
  if (!text) return null;
  const t = text.trim();
  // Already ISO with a zone: keep the instant as written.
  const iso = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})$/.exec(t);
  if (iso) {
    const base = isoFromParts(iso.slice(1, 7));
    if (!base) return null;
    const zone = iso[7] === 'Z' ? '+00:00' : iso[7]!.replace(/^([+-]\d{2})(\d{2})$/, '$1:$2');
    return base.replace('+08:00', zone);
  }
  const m = ANY_DATE.exec(t);
  if (m) return isoFromParts(m.slice(1, 7));
  // Compact forms: 20190305 or 201903051020
  const c = /^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2})?)?$/.exec(t);
  if (c) return isoFromParts(c.slice(1, 7));
  return null;
}

/** `YYYY-MM-DD` of a legacy date (for 成文日期 and the other govMeta dates). */
export function dayOf(text: string | null | undefined): string | null {
  const iso = parseLegacyDate(text);
  return iso ? iso.slice(0, 10) : null;
}

/** A date carried by the URL: TRS `t20210305_123`, Hanweb `/art/2021/3/5/`, DedeCMS `/2019/0305/`. */
export function dateFromUrl(path: string): string | null {
  const trs = /(?:^|\/)t(\d{4})(\d{2})(\d{2})_\d+/.exec(path);
  if (trs) return isoFromParts(trs.slice(1, 4));
  const hanweb = /\/art\/(\d{4})\/(\d{1,2})\/(\d{1,2})\//.exec(`/${path}`);
  if (hanweb) return isoFromParts(hanweb.slice(1, 4));
  const dede = /(?:^|\/)(\d{4})\/(\d{2})(\d{2})\//.exec(path);
  if (dede) return isoFromParts(dede.slice(1, 4));
  const ymd = /(?:^|\/)(\d{4})-?(\d{2})-?(\d{2})\//.exec(path);
  if (ymd) return isoFromParts(ymd.slice(1, 4));
  return null;
}
