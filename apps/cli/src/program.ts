import { Command, InvalidArgumentError, Option } from 'commander';
import { runBackfill } from './commands/backfill.js';
import { runIntegrationsList } from './commands/integrations-list.js';
import { runRetryFailed } from './commands/retry-failed.js';
import { runStatus } from './commands/status.js';
import { runSync } from './commands/sync.js';
import { runVerify, type VerifySource } from './commands/verify.js';
import { addControlCommands } from './control-commands.js';
import { addWebhookCommands } from './webhook-commands.js';
import { UsageError } from './errors.js';
import type { Output } from './output.js';
import type { Services } from './services.js';

export interface ProgramContext {
  out: Output;
  services: Services;
  /** The Kombo client for `verify`; reads the Kombo config only when called. */
  komboSource(): VerifySource;
  /** Whether the workers store `remote_data` (SYNC_STORE_REMOTE_DATA); read only when `verify` runs. */
  isStoringRemoteData(): boolean;
  /** Receives the exit code of the command that ran. */
  setExitCode(code: number): void;
}

function positiveNumber(value: string): number {
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0) throw new InvalidArgumentError('must be a positive number');
  return number;
}

/** The `kombo-sync` command tree. Commander errors are thrown (exitOverride) and become exit code 2. */
export function createProgram(ctx: ProgramContext): Command {
  const { out, services } = ctx;
  const program = new Command('kombo-sync')
    .description('Inspect and drive the Kombo → Postgres sync fleet.')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => out.out(text.trimEnd()),
      writeErr: (text) => out.err(text.trimEnd()),
    })
    .showHelpAfterError();

  /** What enqueuing syncs needs (sync, backfill): the database, Redis, the sync queue and its settings. */
  const enqueueDeps = async () => ({
    db: await services.database(),
    redis: await services.redis(),
    queues: await services.syncQueues(),
    prefix: services.prefix,
    jobAttempts: services.jobAttempts,
    out,
  });

  program
    .command('status [integration]')
    .description('sync status of every integration, or per model (and last runs) of one')
    .option('--json', 'machine-readable output')
    .action(async (integrationId: string | undefined, opts: { json?: boolean }) => {
      ctx.setExitCode(
        await runStatus(
          { db: await services.database(), out, queues: () => services.syncQueues() },
          { integrationId, json: opts.json },
        ),
      );
    });

  program
    .command('sync <integration>')
    .description('enqueue a sync of one integration (like a webhook does)')
    .option('--full', 'full pass with deletion reconciliation instead of a delta')
    .option('--models <names>', 'comma-separated models (default: all of the integration)')
    .option('--wait', 'wait for the run to finish; exit 1 when it fails')
    .addOption(
      new Option('--timeout <seconds>', 'how long --wait waits').argParser(positiveNumber).default(3600),
    )
    .action(
      async (
        integrationId: string,
        opts: { full?: boolean; models?: string; wait?: boolean; timeout: number },
      ) => {
        const deps = {
          ...(await enqueueDeps()),
          openQueueEvents: (queueName: string) => services.openQueueEvents(queueName),
        };
        ctx.setExitCode(
          await runSync(deps, {
            integrationId,
            full: opts.full,
            models: opts.models,
            wait: opts.wait,
            timeoutMs: opts.timeout * 1000,
          }),
        );
      },
    );

  program
    .command('backfill')
    .description('full resync of every integration, paced')
    .option('--all', 'every non-deleted integration (required)')
    .addOption(
      new Option('--rate <n>', 'integrations enqueued per second').argParser(positiveNumber).default(1),
    )
    .action(async (opts: { all?: boolean; rate: number }) => {
      if (!opts.all) throw new UsageError('backfill needs --all (a full resync of every integration)');
      ctx.setExitCode(await runBackfill(await enqueueDeps(), { ratePerSecond: opts.rate }));
    });

  program
    .command('integrations')
    .description('integrations known to the mirror')
    .command('list')
    .option('--json', 'machine-readable output')
    .option('--include-deleted', 'also integrations Kombo deleted')
    .action(async (opts: { json?: boolean; includeDeleted?: boolean }) => {
      ctx.setExitCode(await runIntegrationsList({ db: await services.database(), out }, opts));
    });

  program
    .command('retry-failed')
    .description('retry every failed job of both sync lanes')
    .action(async () => {
      ctx.setExitCode(await runRetryFailed({ queues: await services.syncQueues(), out }));
    });

  program
    .command('verify <integration>')
    .description("compare the mirror with Kombo's API per model (ids, changed_at, deletion, content)")
    .option('--models <names>', 'comma-separated models (default: all of the integration)')
    .option('--json', 'machine-readable output')
    .action(async (integrationId: string, opts: { models?: string; json?: boolean }) => {
      const db = await services.database();
      const deps = { db, source: ctx.komboSource(), out, shouldStripRemoteData: !ctx.isStoringRemoteData() };
      ctx.setExitCode(await runVerify(deps, { integrationId, ...opts }));
    });

  addControlCommands(program, { deps: enqueueDeps, setExitCode: (code) => ctx.setExitCode(code) });
  addWebhookCommands(program, {
    deps: async () => ({ db: await services.database(), out }),
    setExitCode: (code) => ctx.setExitCode(code),
  });

  return program;
}
