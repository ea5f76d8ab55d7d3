// Test support (`@kombo-sync/config/testing`): what jest's global setup (test/global-setup.mjs) hands the tests.
import { z } from 'zod';
import { loadConfig } from '../load-config.js';
import { databaseSettings, redisSettings } from '../schemas.js';
import { envVar } from '../settings.js';

const testSettings = {
  databaseUrl: databaseSettings.databaseUrl,
  redisUrl: redisSettings.redisUrl,
  /** TEST_LOG_LEVEL: the level of the loggers tests create (e.g. `debug` to see a worker's logs). */
  logLevel: envVar('TEST_LOG_LEVEL', z.string().default('silent')),
  path: envVar('PATH', z.string().default('/usr/local/bin:/usr/bin:/bin')),
  home: envVar('HOME', z.string().default('/tmp')),
};

/** The servers and settings of the test run. */
export interface TestServices {
  /** The Postgres server: tests create their own databases on it (`createTestDatabase`). */
  readonly databaseUrl: string;
  /** The Redis server: tests use prefixes of their own on it. */
  readonly redisUrl: string;
  /** Level of the loggers tests create; default `silent`. */
  readonly logLevel: string;
  /** PATH and HOME for the processes a test spawns, which inherit nothing else of the environment. */
  readonly processEnv: { readonly PATH: string; readonly HOME: string };
}

/**
 * The servers jest's global setup started (or was given as DATABASE_URL / REDIS_URL), which it passes to the test
 * workers through their environment: the one place tests and their helpers read it, validated like a process's
 * config. Helpers take these as arguments (the harnesses default to them) and never read `process.env` themselves.
 */
export function testServices(env: Record<string, string | undefined> = process.env): TestServices {
  const { databaseUrl, redisUrl, logLevel, path, home } = loadConfig(testSettings, env);
  return { databaseUrl, redisUrl, logLevel, processEnv: { PATH: path, HOME: home } };
}
