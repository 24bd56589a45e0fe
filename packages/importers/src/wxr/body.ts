/**
 * A WordPress post body as WordPress itself would have rendered it, before the platform's sanitiser sees it:
 *
 * - Gutenberg block delimiters (`<!-- wp:paragraph {"align":"center"} -->`, `<!-- /wp:paragraph -->`) are
 *   comments around ordinary HTML: they are stripped, the HTML inside stays.
 * - `<!--more-->`, `<!--noteaser-->` and `<!--nextpage-->` are removed (pages of a paginated post are joined).
 * - Shortcodes: `[caption]…[/caption]` becomes `<figure>…<figcaption>…</figcaption></figure>` (what WordPress
 *   itself renders since HTML5 support); `[gallery]`, `[audio]`, `[video]`, `[playlist]`, `[embed]` and any other
 *   shortcode cannot be rendered without WordPress: the tags are removed (an enclosing shortcode keeps its inner
 *   content — for `[embed]url[/embed]` that is the URL as a link) and their names are reported.
 * - WordPress alignment classes get the platform's equivalent next to them (`mapWordPressClasses`).
 * - Classic (non-block) posts are stored without `<p>`: WordPress's `wpautop` turns blank lines into paragraphs
 *   and single newlines into `<br />` at display time. The port below follows wp-includes/formatting.php
 *   `wpautop()` (pre blocks kept, block-level tags not wrapped). Block posts are not autop'ed (WordPress does not
 *   either: `do_blocks` removes the filter).
 */

const ALL_BLOCKS =
  '(?:table|thead|tfoot|caption|col|colgroup|tbody|tr|td|th|div|dl|dd|dt|ul|ol|li|pre|form|map|area|blockquote|' +
  'address|math|style|p|h[1-6]|hr|fieldset|legend|section|article|aside|hgroup|header|footer|nav|figure|' +
  'figcaption|details|menu|summary|center)';

const BLOCK_COMMENT = /<!--\s*\/?wp:[a-z0-9_/-]+(?:\s[\s\S]*?)?\s*\/?-->/gi;

export function hasBlocks(html: string): boolean {
  return /<!--\s*wp:[a-z]/i.test(html);
}

export function stripBlockComments(html: string): string {
  return html.replace(BLOCK_COMMENT, '');
}

/** Parses `a="1" b='2' c=3` shortcode attributes. */
function shortcodeAttrs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"']+))/g)) {
    out[m[1]!.toLowerCase()] = m[2] ?? m[3] ?? m[4] ?? '';
  }
  return out;
}

const escapeAttr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/**
 * Applies the shortcode rules above. `[` followed by a letter and a closing `]` is a shortcode only when it is
 * one of WordPress's own, or when it encloses content up to a matching `[/name]`: `[2020]5号` or `〔2020〕` in a
 * 文号 is left alone.
 */
export function convertShortcodes(html: string): { html: string; removed: string[] } {
  const removed = new Set<string>();
  let out = html.replace(
    /\[(caption|wp_caption)([^\]]*)\]([\s\S]*?)\[\/\1\]/gi,
    (_m, _name: string, attrText: string, inner: string) => {
      const attrs = shortcodeAttrs(attrText);
      // The caption is the text after the (optionally linked) image, or the `caption` attribute.
      const media = /^\s*((?:<a\b[^>]*>\s*)?<img\b[^>]*>(?:\s*<\/a>)?)([\s\S]*)$/i.exec(inner);
      const image = media ? media[1]! : '';
      const caption = (media ? media[2]! : inner).trim() || attrs.caption || '';
      const id = attrs.id ? ` id="${escapeAttr(attrs.id)}"` : '';
      return `<figure${id}>${image}${caption ? `<figcaption>${caption}</figcaption>` : ''}</figure>`;
    },
  );
  out = out.replace(/\[embed([^\]]*)\]\s*(https?:\/\/[^\s[<]+)\s*\[\/embed\]/gi, (_m, _a, url: string) => {
    removed.add('embed');
    return `<p><a href="${escapeAttr(url)}">${url}</a></p>`;
  });
  // Self-closing shortcodes WordPress ships, which render media we do not have: removed.
  out = out.replace(/\[(gallery|audio|video|playlist|embed)\b[^\]]*\/?\]/gi, (_m, name: string) => {
    removed.add(name.toLowerCase());
    return '';
  });
  // Closing tags of those (`[video …]…[/video]`).
  out = out.replace(/\[\/(gallery|audio|video|playlist|embed)\]/gi, '');
  // Any other enclosing shortcode (plugins): the tags go, the content stays.
  for (let i = 0; i < 4; i++) {
    const next = out.replace(/\[([a-z][a-z0-9_-]*)\b([^\]]*)\]([\s\S]*?)\[\/\1\]/gi, (_m, name: string, _a, inner) => {
      removed.add(name.toLowerCase());
      return inner;
    });
    if (next === out) break;
    out = next;
  }
  return { html: out, removed: [...removed] };
}

// wpautop's patterns over the block tags, compiled once (issue 11: it runs on every WordPress body).
const BLOCK_OPEN = new RegExp(`(<${ALL_BLOCKS}[\\s/>])`, 'gi');
const BLOCK_CLOSE = new RegExp(`(</${ALL_BLOCKS}>)`, 'gi');
const P_AROUND_BLOCK = new RegExp(`<p>\\s*(</?${ALL_BLOCKS}[^>]*>)\\s*</p>`, 'gi');
const P_BEFORE_BLOCK = new RegExp(`<p>\\s*(</?${ALL_BLOCKS}[^>]*>)`, 'gi');
const P_AFTER_BLOCK = new RegExp(`(</?${ALL_BLOCKS}[^>]*>)\\s*</p>`, 'gi');
const BR_AFTER_BLOCK = new RegExp(`(</?${ALL_BLOCKS}[^>]*>)\\s*<br />`, 'gi');

/** wp-includes/formatting.php `wpautop()`, ported. */
export function wpautop(input: string, br = true): string {
  if (!input.trim()) return '';
  let text = `${input}\n`;
  const pres: string[] = [];
  // <pre> keeps its newlines (as in WordPress); so does a <figure> (WordPress renders [caption] after wpautop,
  // here it is converted before, so the figure is protected the same way).
  if (/<(pre|figure)\b/i.test(text)) {
    text = text.replace(/<(pre|figure)\b[\s\S]*?<\/\1>/gi, (m) => {
      pres.push(m);
      return `<pre wp-pre-tag-${pres.length - 1}></pre>`;
    });
  }
  text = text.replace(/<br\s*\/?>\s*<br\s*\/?>/gi, '\n\n');
  text = text.replace(BLOCK_OPEN, '\n\n$1');
  text = text.replace(BLOCK_CLOSE, '$1\n\n');
  text = text.replace(/<hr\s*?\/?>/gi, '$&\n\n');
  text = text.replace(/\r\n|\r/g, '\n');
  // Newlines inside a tag (attributes over several lines) are not line breaks.
  // Only the tags that have one are visited (a callback per tag of every body cost more than the rest of the pass).
  text = text.replace(/<[^>\n]*\n[^>]*>/g, (tag) => tag.replace(/\n/g, ' '));
  if (text.includes('<option')) text = text.replace(/\s*<option/g, '<option').replace(/<\/option>\s*/g, '</option>');
  text = text.replace(/\n\n+/g, '\n\n');
  let paragraphs = '';
  for (const part of text.split(/\n\s*\n/)) {
    if (part.trim()) paragraphs += `<p>${part.trim()}</p>\n`;
  }
  text = paragraphs;
  text = text.replace(/<p>\s*<\/p>/g, '');
  text = text.replace(/<p>([^<]+)<\/(div|address|form)>/g, '<p>$1</p></$2>');
  text = text.replace(P_AROUND_BLOCK, '$1');
  text = text.replace(/<p>(<li.+?)<\/p>/g, '$1');
  text = text.replace(/<p><blockquote([^>]*)>/gi, '<blockquote$1><p>');
  text = text.replace(/<\/blockquote><\/p>/g, '</p></blockquote>');
  text = text.replace(P_BEFORE_BLOCK, '$1');
  text = text.replace(P_AFTER_BLOCK, '$1');
  if (br) {
    if (/<(?:script|style|svg)/i.test(text))
      text = text.replace(/<(script|style|svg)[\s\S]*?<\/\1>/gi, (m) => m.replace(/\n/g, '<WPPreserveNewline />'));
    text = text.replace(/<br>|<br\/>/gi, '<br />');
    text = text.replace(/(?<!<br \/>)\s*\n/g, '<br />\n');
    text = text.replace(/<WPPreserveNewline \/>/g, '\n');
  }
  text = text.replace(BR_AFTER_BLOCK, '$1');
  text = text.replace(/<br \/>(\s*<\/?(?:p|li|div|dl|dd|dt|th|pre|td|ul|ol)[^>]*>)/gi, '$1');
  text = text.replace(/\n<\/p>$/g, '</p>');
  if (pres.length) text = text.replace(/<pre wp-pre-tag-(\d+)><\/pre>/g, (_m, i: string) => pres[Number(i)] ?? '');
  return text.trim();
}

const WP_CLASS_TO_ZQ: Record<string, string> = {
  'has-text-align-center': 'zq-center',
  'has-text-align-right': 'zq-right',
  'has-text-align-left': 'zq-left',
  'has-text-align-justify': 'zq-justify',
  aligncenter: 'zq-center',
};

/**
 * WordPress lays out with classes (`has-text-align-center` from the block editor, `aligncenter` from the classic
 * one) that the platform's sanitiser does not know; the unambiguous ones get the platform's 公文 class next to
 * them (ADR 0016), so a centred title stays centred. `alignleft`/`alignright` float images: no equivalent.
 */
export function mapWordPressClasses(html: string): string {
  return html.replace(
    /(<[a-z][a-z0-9]*\b[^>]*?\sclass\s*=\s*)(["'])([^"']*)\2/gi,
    (m, before: string, q: string, list: string) => {
      const tokens = list.split(/\s+/).filter(Boolean);
      const added = tokens
        .map((t) => WP_CLASS_TO_ZQ[t.toLowerCase()])
        .filter((t): t is string => !!t && !tokens.includes(t));
      return added.length ? `${before}${q}${[...tokens, ...new Set(added)].join(' ')}${q}` : m;
    },
  );
}

/** The whole body pipeline (see the module comment). */
export function wordpressBody(raw: string): { html: string; removedShortcodes: string[]; blocks: boolean } {
  const blocks = hasBlocks(raw);
  let html = blocks ? stripBlockComments(raw) : raw;
  html = html.replace(/<!--\s*(more|noteaser|nextpage)\b[^>]*-->/gi, '\n\n');
  const sc = convertShortcodes(html);
  html = mapWordPressClasses(blocks ? sc.html.replace(/\n\s*\n(\s*\n)+/g, '\n\n').trim() : wpautop(sc.html));
  return { html, removedShortcodes: sc.removed, blocks };
}
