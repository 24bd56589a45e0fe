import { type Config, ConfigError, loadConfig } from '@zhanqun/adapters';

/** Loads the validated config or exits with every problem listed (exit code 78: configuration error). */
export function configOrExit(env: Record<string, string | undefined> = process.env): Config {
  try {
    return loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(78);
    }
    throw e;
  }
}
