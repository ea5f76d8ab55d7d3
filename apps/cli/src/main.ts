// Composition root of the `kombo-sync` command: reads the environment and argv, wires services, maps errors to
// exit codes (see README.md).
import {
  databaseEnv,
  komboEnv,
  loadConfig,
  loggingEnv,
  redisEnv,
  statusEnv,
  storageEnv,
} from '@kombo-sync/config';
import { createKomboClient } from '@kombo-sync/kombo';
import { createLogger } from '@kombo-sync/logger';
import { EXIT } from './errors.js';
import { describeFailure } from './handle-error.js';
import { processOutput } from './output.js';
import { createProgram } from './program.js';
import { createServices, describeRedisUrl, type Services } from './services.js';

const out = processOutput();
let exitCode: number = EXIT.ok;
let services: Services | undefined;
let komboTarget: string | undefined;
let redisTarget = 'REDIS_URL';
try {
  const logging = loadConfig(loggingEnv, process.env);
  // Logs go to stderr, so stdout stays parseable (--json).
  const logger = createLogger({
    name: 'cli',
    level: logging.LOG_LEVEL === 'info' ? 'warn' : logging.LOG_LEVEL,
    format: logging.LOG_FORMAT,
    destination: process.stderr,
  });
  const database = loadConfig(databaseEnv, process.env);
  const redis = loadConfig(redisEnv, process.env);
  redisTarget = describeRedisUrl(redis.REDIS_URL);
  const activeServices = createServices({
    databaseUrl: database.DATABASE_URL,
    databasePoolSize: Math.min(database.DATABASE_POOL_SIZE, 4),
    redisUrl: redis.REDIS_URL,
    prefix: redis.QUEUE_PREFIX,
    jobAttempts: redis.SYNC_JOB_ATTEMPTS,
    logger,
  });
  services = activeServices;
  const program = createProgram({
    out,
    services: activeServices,
    isStoringRemoteData: () => loadConfig(storageEnv, process.env).SYNC_STORE_REMOTE_DATA,
    lagThresholdMs: () => loadConfig(statusEnv, process.env).STATUS_LAG_THRESHOLD_MS,
    komboSource() {
      const kombo = loadConfig(komboEnv, process.env);
      komboTarget = new URL(kombo.KOMBO_API_URL).host;
      return createKomboClient({
        baseUrl: kombo.KOMBO_API_URL,
        apiKey: kombo.KOMBO_API_KEY,
        timeoutMs: kombo.KOMBO_TIMEOUT_MS,
        maxRetries: kombo.KOMBO_MAX_RETRIES,
        maxRetryWaitMs: kombo.KOMBO_MAX_RETRY_WAIT_MS,
        logger,
      });
    },
    setExitCode: (code) => {
      exitCode = code;
    },
  });
  await program.parseAsync(process.argv);
} catch (err) {
  const failure = describeFailure(err, { redisTarget, komboTarget });
  if (failure.message) out.err(failure.message);
  exitCode = failure.exitCode;
} finally {
  await services?.close();
}
process.exit(exitCode);
