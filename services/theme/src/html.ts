/**
 * HTML built by tagged templates: every interpolated value is escaped unless it is already `SafeHtml` (another
 * template's result, or HTML the API sanitised — `Item.body`, search highlights — wrapped with `trusted`).
 * Arrays are joined. Nothing else in the theme writes markup, so escaping cannot be forgotten (ADR 0023).
 */
export class SafeHtml {
  readonly value: string;
  constructor(value: string) {
    this.value = value;
  }
  toString(): string {
    return this.value;
  }
}

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESC[c] as string);
}

type Value = SafeHtml | string | number | boolean | null | undefined | Value[];

function render(v: Value): string {
  if (v === null || v === undefined || v === false) return '';
  if (v instanceof SafeHtml) return v.value;
  if (Array.isArray(v)) return v.map(render).join('');
  return escapeHtml(String(v));
}

export function html(strings: TemplateStringsArray, ...values: Value[]): SafeHtml {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) out += render(values[i] as Value) + (strings[i + 1] ?? '');
  return new SafeHtml(out);
}

/** Markup the API has already sanitised (item bodies, search highlights): passed through as is. */
export const trusted = (s: string | null | undefined): SafeHtml => new SafeHtml(s ?? '');
