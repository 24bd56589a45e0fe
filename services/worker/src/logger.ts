import { hostname } from 'node:os';
import { type DestinationStream, type LevelWithSilent, type Logger, pino } from 'pino';

export type { Logger };

/**
 * The worker's logger: pino, like the API's (Fastify's), so both processes write the same structured JSON lines
 * (`level`, `time`, `msg`, fields) and honour the same LOG_LEVEL. Failures are logged at warn (will be retried)
 * or error (a job failed, pg-boss failed), with the error serialised under `err`.
 */
export function createWorkerLogger(level: LevelWithSilent, destination?: DestinationStream): Logger {
  const options = { level, base: { service: 'worker', pid: process.pid, hostname: hostname() } };
  return destination ? pino(options, destination) : pino(options);
}
