export { seedDemoCity } from './seed.ts';
export { registerJobs } from './jobs.ts';
export { runCli } from './cli.ts';
