import { type Config, ConfigError, loadConfig } from '@zhanqun/adapters';

/**
 * Loads the validated config or exits with every problem listed (exit code 78: configuration error). The
 * problems go to `report`: the worker passes a logger (no LOG_LEVEL to honour yet, so always shown), the CLI
 * writes them to stderr for the operator.
 */
export function configOrExit(
  env: Record<string, string | undefined> = process.env,
  report: (message: string, problems: string[]) => void = (message) => process.stderr.write(`${message}\n`),
): Config {
  try {
    return loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) {
      report(e.message, e.problems);
      process.exit(78);
    }
    throw e;
  }
}
