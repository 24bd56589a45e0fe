/** The part of autocannon 9 the benchmark uses (the package ships no types; @types/autocannon is not needed). */
declare module 'autocannon' {
  interface Options {
    url: string;
    method?: string;
    headers?: Record<string, string>;
    body?: string;
    expectBody?: string;
    connections?: number;
    pipelining?: number;
    duration?: number;
    timeout?: number;
    /** Request templates, used in turn; setupRequest may rewrite one before it is sent. */
    requests?: { setupRequest?: (req: { body?: string }) => { body?: string } }[];
  }
  interface Result {
    duration: number;
    errors: number;
    timeouts: number;
    non2xx: number;
    mismatches: number;
  }
  interface Instance extends PromiseLike<Result> {
    on(event: 'response', listener: (client: unknown, status: number, bytes: number, ms: number) => void): this;
    stop(): void;
  }
  export default function autocannon(opts: Options): Instance;
}
