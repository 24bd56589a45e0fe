/**
 * An import batch's legacy bodies on the HTML pool's thread, as UTF-8 bytes both ways (issue 11: import throughput;
 * ADR 0015, ninth round).
 *
 * A batch's bodies wait — for the batch's lookups, in the pool's queue, for the batch's turn to be written — long
 * enough that V8 moved their strings into the main thread's old space. As bytes they are memory the collector does
 * not mark (the main isolate's promoted bytes per 20,000 DedeCMS articles fell from 539 to 345 MB; its full
 * collections, which V8 paces by their cost, did not), and the pool does on its own thread what was done on the main
 * one with each body: the rewrite of its links to the new media and item paths, and its serialisation as a JSON string
 * for the revision's canonical content (spliced there as bytes: `splicedContent`).
 *
 * Pure, and loaded by the pool's worker (html-pool.ts): no imports but the HTML work and the body's URLs.
 */
import { type BodyProblem, prepareBody } from '../items/html-work.ts';
import { rewriteBodyUrls } from './body-urls.ts';

/** Legacy bodies for the pool: their UTF-8 bytes one after the other, and each body's URLs to rewrite. */
export interface ImportBodiesTask {
  bytes: Uint8Array;
  /** Where each body ends in `bytes`. */
  ends: number[];
  /** Per body, `[from, to, from, to, …]`: its legacy URLs that have a new path, and that path. */
  rewrites: string[][];
}

/** What became of a body: refused (its work threw, or `problem`), or prepared (and whether it links to media). */
export type ImportBodyOutcome = { error: string } | { problem: BodyProblem } | { linksMedia: boolean };

/** The prepared bodies: for each, its sanitised HTML as a JSON string, then its plain text, in UTF-8. */
export interface ImportBodiesDone {
  bytes: Uint8Array;
  /** Two offsets per body, refused ones included (empty): where its JSON string ends, where its text ends. */
  ends: number[];
  outcomes: ImportBodyOutcome[];
}

/** Bodies (UTF-8 views) packed into one task, in a buffer of its own: moved to the pool's thread, not copied. */
export function importBodiesTask(bodies: { html: Uint8Array; rewrites: string[] }[]): ImportBodiesTask {
  let total = 0;
  for (const b of bodies) total += b.html.length;
  const bytes = new Uint8Array(total);
  const ends: number[] = [];
  let at = 0;
  for (const b of bodies) {
    bytes.set(b.html, at);
    at += b.html.length;
    ends.push(at);
  }
  return { bytes, ends, rewrites: bodies.map((b) => b.rewrites) };
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();
/** The results are written here first (reused task after task), then copied out at their size. */
let scratch = new Uint8Array(1 << 18);

/** Writes `s` in UTF-8 at `at` in `scratch` (grown when it might not fit); returns where it ends. */
function put(s: string, at: number): number {
  // UTF-8 takes at most 3 bytes per UTF-16 code unit.
  if (at + s.length * 3 > scratch.length) {
    const grown = new Uint8Array(Math.max(scratch.length * 2, at + s.length * 3));
    grown.set(scratch.subarray(0, at));
    scratch = grown;
  }
  return at + encoder.encodeInto(s, scratch.subarray(at)).written;
}

/**
 * The pool's side: each body decoded, its links rewritten, checked and sanitised (`prepareBody`), its text extracted,
 * and written back as bytes. Each body's work is its own: one that throws is `{ error }` in its place.
 */
export function prepareImportBodies(task: ImportBodiesTask): ImportBodiesDone {
  const ends: number[] = [];
  const outcomes: ImportBodyOutcome[] = [];
  let at = 0;
  let from = 0;
  for (let i = 0; i < task.ends.length; i++) {
    const html = decoder.decode(task.bytes.subarray(from, task.ends[i]));
    from = task.ends[i]!;
    const pairs = task.rewrites[i] ?? [];
    const map = new Map<string, string>();
    for (let k = 0; k + 1 < pairs.length; k += 2) map.set(pairs[k]!, pairs[k + 1]!);
    const start = at;
    let mid = at;
    let outcome: ImportBodyOutcome;
    try {
      const p = prepareBody(rewriteBodyUrls(html, map));
      if (p.problem) outcome = { problem: p.problem };
      else {
        // JSON.stringify of the body is the body's text in the canonical content (canonicalJson): the same bytes.
        mid = put(JSON.stringify(p.body), at);
        at = put(p.text, mid);
        outcome = { linksMedia: p.body.includes('/media/') };
      }
    } catch (e) {
      at = start;
      mid = start;
      outcome = { error: (e as Error).message };
    }
    ends.push(mid, at);
    outcomes.push(outcome);
  }
  return { bytes: scratch.slice(0, at), ends, outcomes };
}
