/**
 * Field loaders as plain resolvers that batch: every call of one field in one pass of execution (a level of a
 * list) is answered by one call of its loader, so SQL round trips stay constant (no N+1), and a field asked twice
 * for the same object in one request is loaded once.
 *
 * Why not Mercurius' `loaders` option: it keys its per-request cache by `safe-stable-stringify({ obj, params })`
 * — the whole parent object — for every field of every object. An item carries its ~3 KB body (a ~9 KB string
 * in JSON), so a page of items paid for serialising each item once per loader field; that was the largest single
 * cost of a public read in the profiles of issue 10. Here the key is the parent object itself (its identity) and
 * the arguments, and nothing is created for a request until a loader field is asked for.
 */

/** What a loader receives for each object of the level: the parent object and the field's arguments. */
export interface LoaderQuery<T = any> {
  obj: T;
  params: Record<string, unknown>;
}
export type LoaderFn<C> = (queries: LoaderQuery[], ctx: C) => Promise<unknown[]> | unknown[];
export type LoaderMap<C> = Record<string, Record<string, LoaderFn<C>>>;

interface Waiting {
  query: LoaderQuery;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

/** One field's batch in one request: what waits for the next call of the loader, and what was asked before. */
class FieldBatch {
  waiting: Waiting[] = [];
  readonly asked = new Map<object, Map<string, Promise<unknown>>>();
}

const kBatches = Symbol('zq.fieldBatches');

function run<C>(batch: FieldBatch, load: LoaderFn<C>, ctx: C) {
  const waiting = batch.waiting;
  batch.waiting = [];
  Promise.resolve()
    .then(() =>
      load(
        waiting.map((w) => w.query),
        ctx,
      ),
    )
    .then(
      (results) => {
        for (let i = 0; i < waiting.length; i++) waiting[i]!.resolve(results[i]);
      },
      (err) => {
        for (const w of waiting) w.reject(err);
      },
    );
}

const paramsKey = (params: Record<string, unknown>) => {
  for (const _ in params) return JSON.stringify(params);
  return '';
};

/** Turns `{ Type: { field: loader } }` into `{ Type: { field: resolver } }` whose calls are batched per request. */
export function loaderResolvers<C extends object>(loaders: LoaderMap<C>) {
  const out: Record<
    string,
    Record<string, (obj: any, params: Record<string, unknown>, ctx: C) => Promise<unknown>>
  > = {};
  for (const [type, fields] of Object.entries(loaders)) {
    out[type] = {};
    for (const [field, load] of Object.entries(fields)) {
      const name = `${type}.${field}`;
      out[type]![field] = (obj, params, ctx) => {
        const holder = ctx as Record<symbol, Map<string, FieldBatch>>;
        let batches = holder[kBatches];
        if (!batches) {
          batches = new Map();
          holder[kBatches] = batches;
        }
        let batch = batches.get(name);
        if (!batch) {
          batch = new FieldBatch();
          batches.set(name, batch);
        }
        const key = paramsKey(params);
        let byParams = batch.asked.get(obj);
        const known = byParams?.get(key);
        if (known) return known;
        const waiting = batch.waiting;
        const promise = new Promise<unknown>((resolve, reject) => {
          waiting.push({ query: { obj, params }, resolve, reject });
        });
        if (!byParams) {
          byParams = new Map();
          batch.asked.set(obj, byParams);
        }
        byParams.set(key, promise);
        // The first call of this pass schedules the load after every sibling of the level has asked (graphql-js
        // resolves a list's items synchronously, so they all land before the tick).
        if (batch.waiting.length === 1) {
          const b = batch;
          process.nextTick(() => run(b, load, ctx));
        }
        return promise;
      };
    }
  }
  return out;
}
