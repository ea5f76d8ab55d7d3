// Composition root of the `kombo-sync` command: reads the environment and argv, wires services, maps errors to
// exit codes (see README.md).
import {
  environmentApis,
  environmentApiSettings,
  komboEnvironmentSettings,
  komboSettings,
  loadConfig,
  statusSettings,
  storageSettings,
} from '@kombo-sync/config';
import { createEnvironmentClient, createKomboClient } from '@kombo-sync/kombo';
import { createLogger } from '@kombo-sync/logger';
import { cliConfigSpec } from './cli-config.js';
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
  const config = loadConfig(cliConfigSpec);
  // Logs go to stderr, so stdout stays parseable (--json).
  const logger = createLogger({
    name: 'cli',
    level: config.logLevel === 'info' ? 'warn' : config.logLevel,
    format: config.logFormat,
    destination: process.stderr,
  });
  redisTarget = describeRedisUrl(config.redisUrl);
  const activeServices = createServices(config, logger);
  services = activeServices;
  const program = createProgram({
    out,
    services: activeServices,
    // Read only by the commands that need them: a missing KOMBO_API_KEY fails `verify`, not `status`.
    isStoringRemoteData: () => loadConfig(storageSettings).shouldStoreRemoteData,
    lagThresholdMs: () => loadConfig(statusSettings).lagThresholdMs,
    komboSource() {
      const kombo = loadConfig(komboSettings);
      komboTarget = new URL(kombo.komboApiUrl).host;
      const shared = {
        timeoutMs: kombo.komboTimeoutMs,
        maxRetries: kombo.komboMaxRetries,
        maxRetryWaitMs: kombo.komboMaxRetryWaitMs,
        logger,
      };
      // A named environment's integration (`<name>/<Kombo id>`) is read from its own environment.
      const { komboEnvironments: names } = loadConfig(komboEnvironmentSettings);
      const named = environmentApis(names, loadConfig(environmentApiSettings(names))).map(
        (environment) =>
          [
            environment.name,
            createKomboClient({ ...shared, baseUrl: environment.apiUrl, apiKey: environment.apiKey }),
          ] as const,
      );
      return createEnvironmentClient(
        createKomboClient({ ...shared, baseUrl: kombo.komboApiUrl, apiKey: kombo.komboApiKey }),
        new Map(named),
      );
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
