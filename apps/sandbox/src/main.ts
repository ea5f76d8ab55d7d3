import { parseArgs } from 'node:util';
import { createLogger } from '@kombo-sync/logger';
import { createSandbox } from './index.js';

// Flags win over environment variables; see apps/sandbox/README.md.
const { values: flags } = parseArgs({
  options: {
    port: { type: 'string' },
    host: { type: 'string' },
    seed: { type: 'string' },
    'api-key': { type: 'string' },
    'clock-skew-ms': { type: 'string' },
    'webhook-url': { type: 'string' },
    'webhook-secret': { type: 'string' },
    'mutation-rate': { type: 'string' },
    demo: { type: 'boolean' },
  },
});
const env = process.env;
const int = (value: string | undefined, fallback: number, name: string): number => {
  const parsed = value === undefined || value === '' ? fallback : Number(value);
  if (!Number.isInteger(parsed)) throw new Error(`${name} must be an integer, got ${value}`);
  return parsed;
};
const logger = createLogger({ name: 'sandbox', level: env.LOG_LEVEL ?? 'info' });
const port = int(flags.port ?? env.SANDBOX_PORT, 4010, 'SANDBOX_PORT');
const isDemo = flags.demo ?? env.SANDBOX_DEMO === 'true';
const sandbox = createSandbox({
  apiKey: flags['api-key'] ?? env.SANDBOX_API_KEY ?? 'sandbox-key',
  seed: int(flags.seed ?? env.SANDBOX_SEED, 1, 'SANDBOX_SEED'),
  clockSkewMs: int(flags['clock-skew-ms'] ?? env.SANDBOX_CLOCK_SKEW_MS, 0, 'SANDBOX_CLOCK_SKEW_MS'),
  logger,
});
const webhookUrl = flags['webhook-url'] ?? env.SANDBOX_WEBHOOK_URL;
if (webhookUrl) {
  sandbox.setWebhooks({
    url: webhookUrl,
    secret: flags['webhook-secret'] ?? env.SANDBOX_WEBHOOK_SECRET ?? 'sandbox-webhook-secret',
  });
}
const running = await sandbox.listen(port, flags.host ?? env.SANDBOX_HOST ?? '127.0.0.1');
logger.info({ url: running.url, adminUrl: running.adminUrl, webhookUrl }, 'Kombo sandbox listening');

if (isDemo) {
  const ids = [
    sandbox.createIntegration({ tool: 'personio', sizes: { employees: 50 } }).id,
    sandbox.createIntegration({ tool: 'hibob', sizes: { employees: 5_000 } }).id,
    sandbox.createIntegration({ tool: 'greenhouse', category: 'ATS', sizes: { candidates: 500 } }).id,
  ];
  sandbox.startMutations({
    ratePerSecond: int(flags['mutation-rate'] ?? env.SANDBOX_MUTATION_RATE, 2, 'SANDBOX_MUTATION_RATE'),
  });
  logger.info({ integrationIds: ids }, 'demo integrations created; mutating');
}

const shutdown = (): void => {
  logger.info('shutting down');
  void running.close().then(() => process.exit(0));
};
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);
