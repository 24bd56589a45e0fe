import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const require = createRequire(import.meta.url);

/**
 * The theme's own web fonts (the reader's machine may have no Chinese font; headless Chromium has none):
 * Noto Sans SC from `@fontsource/noto-sans-sc`, split by unicode-range into ~100 small WOFF2 files — a page
 * downloads only the slices holding its characters. Served from the package, nothing copied into the repository.
 */
export const fontDir = join(dirname(require.resolve('@fontsource/noto-sans-sc/package.json')), 'files');

export async function fontCss(): Promise<string> {
  const base = dirname(fontDir);
  const css = (await readFile(join(base, '400.css'), 'utf8')) + (await readFile(join(base, '700.css'), 'utf8'));
  // WOFF2 only (every browser that runs this theme reads it); the .woff fallbacks stay unserved.
  return css
    .replace(/url\(\.\/files\/([^)]+\.woff2)\)/g, 'url(/assets/fonts/$1)')
    .replace(/, url\(\.\/files\/[^)]+\.woff\) format\('woff'\)/g, '');
}

/** A font file name from the URL, or null for anything that is not one of the package's WOFF2 files. */
export function fontFile(name: string): string | null {
  if (!/^[a-z0-9-]+\.woff2$/.test(name)) return null;
  const p = normalize(join(fontDir, name));
  return p.startsWith(fontDir) ? p : null;
}

/** InstantSearch for the search page, bundled once at start (esbuild, minified, ES2020). */
export async function bundleSearch(): Promise<string> {
  const entry = fileURLToPath(new URL('./client/search.ts', import.meta.url));
  const out = await build({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    format: 'iife',
    target: 'es2020',
    write: false,
    legalComments: 'none',
  });
  return out.outputFiles[0]?.text ?? '';
}

/**
 * 2015 §5: phones first — one column, then wider layouts. 适老化 (`.elder`): 1.25× text, black on white and
 * white on black with underlined links and strong focus rings (GB/T 37668; 工信部适老化规范).
 */
export const themeCss = `
:root{--red:#a8071a;--ink:#1f1f1f;--muted:#595959;--link:#0b4f9c;--line:#d9d9d9;--bg:#fff;--soft:#f5f5f5;font-size:16px}
*{box-sizing:border-box}
body{margin:0;font-family:'Noto Sans SC',system-ui,sans-serif;color:var(--ink);background:var(--bg);line-height:1.7;min-height:100vh;display:flex;flex-direction:column}
a{color:var(--link)}
a:focus-visible,button:focus-visible,input:focus-visible{outline:3px solid #f0a500;outline-offset:2px}
.wrap{max-width:1100px;margin:0 auto;padding:0 16px}
.skip{position:absolute;left:-9999px}.skip:focus{left:8px;top:8px;background:#fff;padding:8px;z-index:10}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
.header{background:var(--red);color:#fff}
.head-row{display:flex;flex-wrap:wrap;align-items:center;justify-content:space-between;gap:8px;padding-top:12px;padding-bottom:12px}
.site-name{color:#fff;font-size:1.5rem;font-weight:700;text-decoration:none}
.mode{color:#fff}
.nav{background:#7a0512}
.nav ul{list-style:none;margin:0 auto;padding:0 16px;max-width:1100px;display:flex;flex-wrap:wrap}
.nav a{display:block;color:#fff;padding:10px 12px;text-decoration:none}
.nav a[aria-current]{background:#5c000d;text-decoration:underline}
.closing{background:#fff1b8;border-bottom:1px solid #d4b106;padding:8px 0}
main{padding-top:16px;padding-bottom:32px;flex:1 0 auto;width:100%}
h1{font-size:1.6rem;line-height:1.4}
.crumbs ol{list-style:none;padding:0;margin:0;display:flex;flex-wrap:wrap;color:var(--muted)}
.crumbs li+li::before{content:'>';padding:0 6px}
.list{list-style:none;padding:0}
.list li{display:flex;justify-content:space-between;gap:12px;border-bottom:1px dashed var(--line);padding:8px 0}
.list time{color:var(--muted);white-space:nowrap}
.channels,.subcolumns{list-style:none;padding:0;display:grid;grid-template-columns:repeat(auto-fill,minmax(200px,1fr));gap:12px}
.channels>li{background:var(--soft);padding:12px}
.channels ul{padding-left:1em}
.pager{display:flex;gap:16px;margin-top:16px}
.doc-meta{width:100%;border-collapse:collapse;background:var(--soft);margin-bottom:16px}
.doc-meta caption{text-align:left;font-weight:700;padding:4px 0}
.doc-meta th,.doc-meta td{border:1px solid var(--line);padding:6px 8px;text-align:left}
.doc-meta th{white-space:nowrap;width:6em}
.byline{color:var(--muted);display:flex;flex-wrap:wrap;gap:16px}
figure{margin:16px 0}img{max-width:100%;height:auto}
.preview{background:#e6f4ff;border:1px solid #69b1ff;padding:8px}
[hidden]{display:none!important}
.search-box{display:flex;flex-wrap:wrap;gap:8px;align-items:center;margin:16px 0}
.search-box input{flex:1;min-width:12em;padding:8px;font:inherit;border:1px solid #8c8c8c}
.search-box button{padding:8px 16px;font:inherit;background:var(--red);color:#fff;border:0}
input,button{font:inherit}
#server-results[data-enhanced]{display:none}
.ais-SearchBox-form{display:flex;gap:8px;margin:8px 0}.ais-SearchBox-input{flex:1;padding:8px;border:1px solid #8c8c8c}
.ais-Hits-list{padding-left:1.5em}.ais-Hits-item{margin-bottom:8px}
.hits li{margin-bottom:12px}mark{background:#fff1b8;color:inherit}
.footer{background:#262626;color:#f0f0f0;padding:24px 0;margin-top:24px}
.footer a{color:#fff}
.footer-grid{display:flex;flex-wrap:wrap;gap:24px;align-items:flex-start}
.facts{margin:0;display:grid;gap:4px}.facts div{display:flex;gap:8px}.facts dt{font-weight:700}.facts dd{margin:0}
@media (max-width:640px){h1{font-size:1.3rem}.list li{flex-direction:column;gap:0}.doc-meta th,.doc-meta td{display:block;width:auto}}
html.elder{font-size:20px}
.elder body{color:#000;background:#fff}
.elder a{color:#00c;text-decoration:underline}
.elder .header,.elder .nav,.elder .footer{background:#000}
.elder .nav a,.elder .site-name,.elder .mode,.elder .footer a{color:#ff0}
.elder .list time,.elder .byline,.elder .crumbs ol{color:#000}
.elder a:focus-visible{outline:4px solid #000}
`;
