/**
 * The HTML pool's worker entry — plain JavaScript on purpose. A worker thread that imports a `.ts` module makes
 * Node start its TypeScript stripper (a WebAssembly module) in that thread: ~19 MB of resident memory per thread,
 * more than the sanitiser itself. The main thread, which has its stripper loaded anyway, strips the worker's
 * modules once (html-pool.ts) and hands them over in `workerData`; this hook serves them as JavaScript, so the
 * worker never starts its own. A module not in the map (none today) is loaded the normal way. ADR 0032.
 */
import { registerHooks } from 'node:module';
import { workerData } from 'piscina';

/** @type {{ main: string, sources: Record<string, string> }} */
const { main, sources } = workerData;

registerHooks({
  load(url, context, nextLoad) {
    const source = sources[url];
    if (source === undefined) return nextLoad(url, context);
    return { format: 'module', source, shortCircuit: true };
  },
});

const { default: run } = await import(main);
export default run;
