import { AppError } from '../errors/app-error.ts';
import {
  type ImportBodiesDone,
  type ImportBodiesTask,
  importBodiesTask,
  prepareImportBodies,
} from '../import/import-bodies.ts';
import type { Ctx } from '../shared/context.ts';
import { type BodyProblem, imagesWithoutAlt, type PreparedBody, prepareBody } from './html-work.ts';

/**
 * Runs the HTML work of a body (`prepareBody`) off the event loop: a small worker-thread pool in production
 * (adapters, ADR 0010). A body of 100,000 nested elements used to block every other request for 37 s.
 */
export interface HtmlWorkPort {
  prepare(html: string): Promise<PreparedBody>;
  /**
   * An import batch's legacy bodies, many in one task (`prepareImportBodies`): one message each way instead of one
   * per body, and bytes rather than strings. Each body's work is its own: one whose work throws is `{ error }` in its
   * place, the others are unaffected.
   */
  prepareImport(task: ImportBodiesTask): Promise<ImportBodiesDone>;
}

/** Below this size the work takes well under a millisecond: a round trip to a worker would cost more. */
const INLINE_BELOW = 20_000;

/**
 * Checks and sanitises a body; a body too deep or with an unsafe link is BAD_USER_INPUT on `body`.
 * `offThread`: on the pool whatever its size — a caller that has many bodies at once (an import batch) keeps this
 * thread free for its other work while the pool sanitises.
 */
export async function prepareItemBody(
  ctx: Ctx,
  html: string,
  opts: { offThread?: boolean } = {},
): Promise<PreparedBody> {
  const prepared =
    ctx.html && (opts.offThread || html.length >= INLINE_BELOW) ? await ctx.html.prepare(html) : prepareBody(html);
  return checked(prepared);
}

/** A body's problem as the error its caller answers with. */
function checked(prepared: PreparedBody): PreparedBody {
  if (prepared.problem) throw refusal(prepared.problem);
  return prepared;
}

/** BODY_TOO_DEEP or UNSAFE_URL on `body`. */
function refusal(p: BodyProblem): AppError {
  if (p.reason === 'BODY_TOO_DEEP')
    return new AppError('BODY_TOO_DEEP', undefined, { field: 'body', details: { depth: p.depth } });
  return new AppError('UNSAFE_URL', `The body links to a refused scheme (${p.attribute})`, {
    field: 'body',
    details: { attribute: p.attribute, url: p.url },
  });
}

/**
 * Bodies per task handed to the pool by `prepareImportedBodies`: a quarter of an import batch. As bytes, a body is
 * written out as soon as it is done (import-bodies.ts), so a longer task no longer keeps its results waiting on the
 * pool's heap (issue 11: with strings, 16 per task had cut what that thread moved to its old space from ~300 to
 * ~260 MB per 20,000 DedeCMS articles against 50); and the pool, which takes its next task only once this thread has
 * handled the last one's result, waits less for a busy main thread (with two tasks queued on it, html-pool.ts: the
 * apply 8.2–8.9 s against 9.6–9.9 s at 20,000 articles; ADR 0015, ninth round).
 */
export const BODIES_PER_TASK = 64;

/** A legacy body prepared for an import: its sanitised HTML as a JSON string, and its plain text, in UTF-8. */
export interface ImportedBody {
  json: Buffer;
  text: Buffer;
  /** Whether the sanitised HTML links to platform media (`/media/…`). */
  linksMedia: boolean;
}

/** The sanitised HTML of an imported body as a string: only where a caller needs it whole (an update, media links). */
export const importedHtml = (body: ImportedBody): string => JSON.parse(body.json.toString('utf8')) as string;

/**
 * An import batch's legacy bodies (UTF-8, with the links to rewrite) checked, rewritten and sanitised on the pool in
 * tasks of BODIES_PER_TASK, as bytes both ways (import-bodies.ts; issue 11: throughput — a task per body cost as much
 * in messages between the threads as the sanitising of a short body). One promise per body, in order, each settled
 * as its task ends; a refused body rejects its own promise only.
 */
export function prepareImportedBodies(
  ctx: Ctx,
  bodies: { html: Uint8Array; rewrites: string[] }[],
): Promise<ImportedBody>[] {
  const out: Promise<ImportedBody>[] = [];
  const pool = ctx.html;
  for (let i = 0; i < bodies.length; i += BODIES_PER_TASK) {
    const chunk = bodies.slice(i, i + BODIES_PER_TASK);
    // A task the pool could not finish (a body that took its thread down): each body again on its own, so that
    // only that body fails. Inline (no pool), a body whose work throws fails alone too (prepareImportBodies).
    const task: Promise<[ImportBodiesDone, number][]> = pool
      ? pool.prepareImport(importBodiesTask(chunk)).then(
          (done) => chunk.map((_, j) => [done, j]),
          () =>
            Promise.all(
              chunk.map(async (b): Promise<[ImportBodiesDone, number]> => {
                try {
                  return [await pool.prepareImport(importBodiesTask([b])), 0];
                } catch (e) {
                  return [{ bytes: new Uint8Array(0), ends: [0, 0], outcomes: [{ error: (e as Error).message }] }, 0];
                }
              }),
            ),
        )
      : Promise.resolve().then(() => {
          const done = prepareImportBodies(importBodiesTask(chunk));
          return chunk.map((_, j): [ImportBodiesDone, number] => [done, j]);
        });
    for (let j = 0; j < chunk.length; j++) out.push(task.then((r) => importedBody(...r[j]!)));
  }
  return out;
}

/** The `j`th body of a task's results, or its refusal as the error a caller reports. */
function importedBody(done: ImportBodiesDone, j: number): ImportedBody {
  const outcome = done.outcomes[j]!;
  if ('error' in outcome) throw new Error(outcome.error);
  if ('problem' in outcome) throw refusal(outcome.problem);
  const bytes = Buffer.from(done.bytes.buffer, done.bytes.byteOffset, done.bytes.byteLength);
  const start = j ? done.ends[2 * j - 1]! : 0;
  return {
    json: bytes.subarray(start, done.ends[2 * j]),
    text: bytes.subarray(done.ends[2 * j], done.ends[2 * j + 1]),
    linksMedia: outcome.linksMedia,
  };
}

/** Images in a stored (already sanitised) body without alt text: the only HTML work level 3 needs. */
export async function bodyImagesWithoutAlt(ctx: Ctx, body: string): Promise<string[]> {
  if (ctx.html && body.length >= INLINE_BELOW) return (await ctx.html.prepare(body)).imagesWithoutAlt;
  return imagesWithoutAlt(body);
}
