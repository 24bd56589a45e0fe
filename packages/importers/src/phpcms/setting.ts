/**
 * PHPCMS v9 `category.setting` (legacy-formats.md §4.2): older builds store a PHP `var_export` literal
 * (`array (\n  'ishtml' => '1', … )`, written by `array2string()`), newer ones JSON (`json_encode`, possibly with
 * slashes added). `string2array()` tells them apart by a leading `array`. Parsed here without evaluating
 * anything: a tiny recursive-descent parser for what `var_export` writes (quoted strings with `\'` and `\\`,
 * numbers, true/false/NULL, nested `array (…)`).
 */

export type PhpValue = string | number | boolean | null | PhpArray;
export interface PhpArray {
  [key: string]: PhpValue;
}

export class VarExportError extends Error {}

export function parseVarExport(src: string): PhpValue {
  let i = 0;
  const ws = () => {
    while (i < src.length && /\s/.test(src[i]!)) i++;
  };
  const fail = (what: string): never => {
    throw new VarExportError(`${what} at ${i}: ${JSON.stringify(src.slice(i, i + 20))}`);
  };
  const value = (depth: number): PhpValue => {
    if (depth > 32) fail('nested too deep');
    ws();
    const rest = src.slice(i, i + 6).toLowerCase();
    if (rest.startsWith('array')) {
      i += 5;
      ws();
      if (src[i] !== '(') fail('expected (');
      i++;
      const out: PhpArray = {};
      let next = 0;
      for (;;) {
        ws();
        if (src[i] === ')') {
          i++;
          return out;
        }
        const k = value(depth + 1);
        ws();
        if (src.startsWith('=>', i)) {
          i += 2;
          const v = value(depth + 1);
          const key = String(k);
          out[key] = v;
          if (typeof k === 'number' && k >= next) next = k + 1;
        } else out[String(next++)] = k;
        ws();
        if (src[i] === ',') i++;
        else if (src[i] !== ')') fail('expected , or )');
      }
    }
    const c = src[i];
    if (c === "'" || c === '"') {
      i++;
      let s = '';
      while (i < src.length && src[i] !== c) {
        if (src[i] === '\\' && (src[i + 1] === c || src[i + 1] === '\\')) {
          s += src[i + 1];
          i += 2;
        } else s += src[i++];
      }
      if (i >= src.length) fail('unterminated string');
      i++;
      return s;
    }
    const m = /^-?\d+(\.\d+)?([eE][-+]?\d+)?/.exec(src.slice(i, i + 40));
    if (m) {
      i += m[0].length;
      return Number(m[0]);
    }
    for (const [word, v] of [
      ['true', true],
      ['false', false],
      ['null', null],
    ] as const) {
      if (rest.startsWith(word)) {
        i += word.length;
        return v;
      }
    }
    return fail('unexpected value');
  };
  const v = value(0);
  ws();
  if (src[i] === ';') i++;
  ws();
  if (i < src.length) fail('trailing text');
  return v;
}

/** `string2array()` without eval: var_export or JSON (with or without added slashes); `{}` when unreadable. */
export function parseSetting(raw: string): { value: Record<string, PhpValue>; ok: boolean } {
  const s = raw.trim();
  if (!s) return { value: {}, ok: true };
  try {
    if (s.toLowerCase().startsWith('array')) {
      const v = parseVarExport(s);
      return { value: v && typeof v === 'object' ? v : {}, ok: true };
    }
    for (const candidate of [s, s.replace(/\\(["\\/])/g, '$1')]) {
      try {
        const v = JSON.parse(candidate) as unknown;
        if (v && typeof v === 'object') return { value: v as Record<string, PhpValue>, ok: true };
      } catch {
        // try the next form
      }
    }
  } catch {
    // fall through
  }
  return { value: {}, ok: false };
}
