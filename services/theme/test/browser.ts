import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { type Browser, chromium, type Page } from 'playwright-core';

const require = createRequire(import.meta.url);

/**
 * Headless Chromium for the suite with nothing installed by hand: a system Chromium when there is one
 * (`apt-get install chromium`), else the one inside `@sparticuz/chromium`'s npm package (unpacked to the temp dir).
 */
export async function launchChromium(): Promise<Browser> {
  const system = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
  const flags = ['--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];
  if (system) return chromium.launch({ executablePath: system, headless: true, args: ['--no-sandbox', ...flags] });
  const { default: sparticuz } = await import('@sparticuz/chromium');
  // Its Lambda flags run Chromium as one process, which dies when a second browser context closes: left out here.
  const args = sparticuz.args.filter((a) => !['--single-process', '--no-zygote', '--in-process-gpu'].includes(a));
  return chromium.launch({ executablePath: await sparticuz.executablePath(), args, headless: true });
}

const axeSource: string = require('axe-core').source;

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; html: string }[];
}

/** axe-core on the page (WCAG 2.0 A and AA rules — GB/T 37668's target); the serious and critical findings. */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  await page.addScriptTag({ content: axeSource });
  const violations = await page.evaluate(async () => {
    const axe = (
      globalThis as unknown as { axe: { run: (ctx: unknown, o: unknown) => Promise<{ violations: AxeViolation[] }> } }
    ).axe;
    const r = await axe.run((globalThis as unknown as { document: unknown }).document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa'] },
    });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 3).map((n) => ({ target: n.target, html: n.html })),
    }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}
