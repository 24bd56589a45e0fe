import { createPlatform, loadConfig } from '@zhanqun/adapters';
import { type DemoLogin, seedDemoCity as seed } from '@zhanqun/core';

/** Seeds the demo city through the platform's use cases; [] when it is already there. */
export async function seedDemoCity(env: Record<string, string | undefined>): Promise<DemoLogin[]> {
  const platform = await createPlatform(loadConfig(env));
  try {
    return await seed(platform.systemCtx('seed:demo'));
  } finally {
    await platform.close();
  }
}
