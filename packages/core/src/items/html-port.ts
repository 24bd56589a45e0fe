import { AppError } from '../errors/app-error.ts';
import type { Ctx } from '../shared/context.ts';
import { imagesWithoutAlt, type PreparedBody, prepareBody } from './html-work.ts';

/**
 * Runs the HTML work of a body (`prepareBody`) off the event loop: a small worker-thread pool in production
 * (adapters, ADR 0010). A body of 100,000 nested elements used to block every other request for 37 s.
 */
export interface HtmlWorkPort {
  prepare(html: string): Promise<PreparedBody>;
  /**
   * Many bodies in one task (an import batch): one message each way instead of one per body. Each body's work is
   * its own: a body whose work throws is `{ error }` in its place, the others are unaffected.
   */
  prepareMany(htmls: string[]): Promise<(PreparedBody | { error: string })[]>;
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
  const p = prepared.problem;
  if (p?.reason === 'BODY_TOO_DEEP')
    throw new AppError('BODY_TOO_DEEP', undefined, { field: 'body', details: { depth: p.depth } });
  if (p?.reason === 'UNSAFE_URL')
    throw new AppError('UNSAFE_URL', `The body links to a refused scheme (${p.attribute})`, {
      field: 'body',
      details: { attribute: p.attribute, url: p.url },
    });
  return prepared;
}

const inline = (html: string): PreparedBody | { error: string } => {
  try {
    return prepareBody(html);
  } catch (e) {
    return { error: (e as Error).message };
  }
};

/**
 * Bodies per task handed to the pool by `prepareItemBodies`: small enough that the first are ready early, and that
 * fewer of a task's bodies and results outlive two young-generation collections on the pool's thread (issue 11: what
 * that thread moved to its old space fell from ~300 to ~260 MB per 20,000 DedeCMS articles with 16 instead of 50);
 * large enough that messages between the threads stay a small part of the work.
 */
export const BODIES_PER_TASK = 16;

/**
 * `prepareItemBody` for many bodies at once (an import batch, issue 11: throughput), on the pool in tasks of
 * BODIES_PER_TASK: a task per body cost as much in messages between the threads as the sanitising of a short body.
 * One promise per body, in order, each settled as its task ends (a refused body rejects its own promise only).
 */
export function prepareItemBodies(ctx: Ctx, htmls: string[]): Promise<PreparedBody>[] {
  const out: Promise<PreparedBody>[] = [];
  for (let i = 0; i < htmls.length; i += BODIES_PER_TASK) {
    const chunk = htmls.slice(i, i + BODIES_PER_TASK);
    const pool = ctx.html;
    // A task the pool could not finish (a body that took its thread down): each body again on its own, so that
    // only that body fails. Inline (no pool), a body whose work throws fails alone too.
    const task = pool
      ? pool
          .prepareMany(chunk)
          .catch(() => Promise.all(chunk.map((h) => pool.prepare(h).catch((e: Error) => ({ error: e.message })))))
      : Promise.resolve(chunk.map(inline));
    for (let j = 0; j < chunk.length; j++)
      out.push(
        task.then((r) => {
          const one = r[j]!;
          if ('error' in one) throw new Error(one.error);
          return checked(one);
        }),
      );
  }
  return out;
}

/** Images in a stored (already sanitised) body without alt text: the only HTML work level 3 needs. */
export async function bodyImagesWithoutAlt(ctx: Ctx, body: string): Promise<string[]> {
  if (ctx.html && body.length >= INLINE_BELOW) return (await ctx.html.prepare(body)).imagesWithoutAlt;
  return imagesWithoutAlt(body);
}
