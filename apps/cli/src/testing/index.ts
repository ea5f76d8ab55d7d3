// The CLI for tests (`@kombo-sync/cli/testing`): its test helpers, and its commands, services and config for tests
// that drive them in-process. Tests of other apps, test/ and bench/ reach the CLI only here.
export * from './queue-suite.js';
export { cliConfig, type CliConfig } from '../cli-config.js';
export { EXIT, ServiceUnreachableError } from '../errors.js';
export { memoryOutput } from '../output.js';
export { connectRedis, createServices, describeRedisUrl } from '../services.js';
export { runStatus } from '../commands/status.js';
export { runSync } from '../commands/sync.js';
export { runVerify, type VerifySource } from '../commands/verify.js';
