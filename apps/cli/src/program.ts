import { Command, InvalidArgumentError, Option } from 'commander';
import { runBackfill, type BackfillDeps } from './commands/backfill.js';
import { runIntegrationsList } from './commands/integrations-list.js';
import { runRetryFailed } from './commands/retry-failed.js';
import { STATUS_FILTER_NAMES } from '@kombo-sync/db';
import { DEFAULT_STATUS_LIMIT, runStatus, type StatusOptions } from './commands/status.js';
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
  /** The status views' lag threshold (STATUS_LAG_THRESHOLD_MS); read only when `status` runs. */
  lagThresholdMs(): number;
  /** Whether the workers store `remote_data` (SYNC_STORE_REMOTE_DATA); read only when `verify` runs. */
  isStoringRemoteData(): boolean;
  /** Receives the exit code of the command that ran. */
  setExitCode(code: number): void;
}

function positiveInteger(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number <= 0)
    throw new InvalidArgumentError('must be a whole number above 0');
  return number;
}

function positiveNumber(value: string): number {
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0) throw new InvalidArgumentError('must be a positive number');
  return number;
}

/** Least `backfill --rate`: one integration every 1,000 s (a slower pace would wait past Node's longest timer). */
const MIN_BACKFILL_RATE = 0.001;

function backfillRate(value: string): number {
  const number = positiveNumber(value);
  if (number < MIN_BACKFILL_RATE) throw new InvalidArgumentError(`must be at least ${MIN_BACKFILL_RATE}`);
  return number;
}

/** `status [integration]`: the fleet summary and a page of integrations, or one integration. */
function addStatusCommand(program: Command, ctx: ProgramContext): void {
  const { out, services } = ctx;
  program
    .command('status [integration]')
    .description(
      'the fleet summary and the integrations needing attention, or one integration per model (and last runs)',
    )
    .option(
      '--all',
      'every selected integration, not only the first ones; without --filter, every integration',
    )
    .option('--filter <states>', `states, comma-separated, or all: ${STATUS_FILTER_NAMES.join(', ')}`)
    .option('--search <text>', 'integrations whose id, origin id or organisation name contains it')
    .option('--category <category>', 'integrations of this category (HRIS, ATS, …)')
    .option('--tool <tool>', 'integrations of this tool')
    .option(
      '--environment <name>',
      'integrations of this Kombo environment (default, or a KOMBO_ENVIRONMENTS name)',
    )
    .addOption(
      new Option('--limit <n>', 'integrations listed without --all')
        .argParser(positiveInteger)
        .default(DEFAULT_STATUS_LIMIT),
    )
    .option('--json', 'machine-readable output')
    .action(async (integrationId: string | undefined, opts: Omit<StatusOptions, 'integrationId'>) => {
      ctx.setExitCode(
        await runStatus(
          {
            db: await services.database(),
            out,
            queues: () => services.syncQueues(),
            lagThresholdMs: ctx.lagThresholdMs(),
          },
          { ...opts, ...(integrationId === undefined ? {} : { integrationId }) },
        ),
      );
    });
}

/** `sync` and `backfill`: the commands enqueuing syncs. */
function addEnqueueCommands(
  program: Command,
  ctx: ProgramContext,
  enqueueDeps: () => Promise<BackfillDeps>,
): void {
  const { services } = ctx;
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
      new Option('--rate <n>', 'integrations enqueued per second (at least 0.001)')
        .argParser(backfillRate)
        .default(1),
    )
    .action(async (opts: { all?: boolean; rate: number }) => {
      if (!opts.all) throw new UsageError('backfill needs --all (a full resync of every integration)');
      ctx.setExitCode(await runBackfill(await enqueueDeps(), { ratePerSecond: opts.rate }));
    });
}

/** `integrations list`, `retry-failed` and `verify`. */
function addInspectCommands(program: Command, ctx: ProgramContext): void {
  const { out, services } = ctx;
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
    request: await services.syncRequest(),
    out,
  });

  addStatusCommand(program, ctx);
  addEnqueueCommands(program, ctx, enqueueDeps);
  addInspectCommands(program, ctx);
  addControlCommands(program, { deps: enqueueDeps, setExitCode: (code) => ctx.setExitCode(code) });
  addWebhookCommands(program, {
    deps: async () => ({ db: await services.database(), out }),
    setExitCode: (code) => ctx.setExitCode(code),
  });

  return program;
}
