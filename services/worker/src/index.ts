export { runCli } from './cli.ts';
export { registerJobs } from './jobs.ts';
export { seedDemoCity } from './seed.ts';
