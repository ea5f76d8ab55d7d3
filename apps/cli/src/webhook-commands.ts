import { InvalidArgumentError, type Command } from 'commander';
import {
  runDeliveriesList,
  runDeliveriesReplay,
  type DeliveriesListOptions,
  type DeliveriesReplayOptions,
} from './commands/deliveries.js';
import {
  runEndpointsCreate,
  runEndpointsDelete,
  runEndpointsList,
  runEndpointsRotate,
  runEndpointsUpdate,
  type EndpointsDeps,
} from './commands/endpoints.js';

function positiveInt(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number <= 0) throw new InvalidArgumentError('must be a positive integer');
  return number;
}

type WebhookCommandsContext = { deps: () => Promise<EndpointsDeps>; setExitCode(code: number): void };

/** Adds `endpoints …` (outbound webhook endpoints) and `deliveries …` (their log, replay) to the program. */
export function addWebhookCommands(program: Command, ctx: WebhookCommandsContext): void {
  addEndpointCommands(program, ctx);
  addDeliveryCommands(program, ctx);
}

/** `endpoints list|create|update|rotate-secret|delete`. */
function addEndpointCommands(program: Command, { deps, setExitCode }: WebhookCommandsContext): void {
  const endpoints = program
    .command('endpoints')
    .description('outbound webhook endpoints (Standard Webhooks)');
  endpoints
    .command('list')
    .description('every endpoint: filters, state, deliveries waiting and dead, lag')
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean }) => setExitCode(await runEndpointsList(await deps(), opts)));
  endpoints
    .command('create <url>')
    .description('add an endpoint; prints its signing secret once')
    .option('--models <names>', 'comma-separated models it receives (default: all)')
    .option('--integrations <ids>', 'comma-separated integrations it receives (default: all)')
    .option('--json', 'machine-readable output')
    .action(async (url: string, opts: { models?: string; integrations?: string; json?: boolean }) =>
      setExitCode(await runEndpointsCreate(await deps(), { url, ...opts })),
    );
  endpoints
    .command('update <endpoint>')
    .description("change an endpoint's URL or filters, enable or disable it")
    .option('--url <url>', 'new URL')
    .option('--models <names>', 'comma-separated models, or "all"')
    .option('--integrations <ids>', 'comma-separated integrations, or "all"')
    .option(
      '--enable',
      'enable (clears the failure streak; replay its dead letters with `deliveries replay --dead`)',
    )
    .option('--disable', 'disable (waiting deliveries become dead letters)')
    .option('--json', 'machine-readable output')
    .action(async (endpointId: string, opts: Omit<Parameters<typeof runEndpointsUpdate>[1], 'endpointId'>) =>
      setExitCode(await runEndpointsUpdate(await deps(), { endpointId, ...opts })),
    );
  endpoints
    .command('rotate-secret <endpoint>')
    .description('new signing secret; the previous one keeps signing (second signature) for a while')
    .option('--keep-previous <duration>', 'how long the previous secret still signs, or 0', '24h')
    .option('--json', 'machine-readable output')
    .action(async (endpointId: string, opts: { keepPrevious: string; json?: boolean }) =>
      setExitCode(await runEndpointsRotate(await deps(), { endpointId, ...opts })),
    );
  endpoints
    .command('delete <endpoint>')
    .description('delete an endpoint with its deliveries and log')
    .action(async (endpointId: string) =>
      setExitCode(await runEndpointsDelete(await deps(), { endpointId })),
    );
}

/** `deliveries list|replay`. */
function addDeliveryCommands(program: Command, { deps, setExitCode }: WebhookCommandsContext): void {
  const deliveries = program.command('deliveries').description('the delivery log of an endpoint; replays');
  deliveries
    .command('list <endpoint>')
    .description('deliveries, newest first: state, attempts, last status, latency, next retry')
    .option('--state <state>', 'pending, in_flight, delivered or dead')
    .option('--limit <n>', 'how many', positiveInt, 50)
    .option('--attempts', 'every attempt of each delivery too')
    .option('--json', 'machine-readable output (attempts included)')
    .action(async (endpointId: string, opts: Omit<DeliveriesListOptions, 'endpointId'>) =>
      setExitCode(await runDeliveriesList(await deps(), { endpointId, ...opts })),
    );
  deliveries
    .command('replay <endpoint>')
    .description('send again: the dead letters (--dead) or what was created in a time range')
    .option('--dead', 'the dead letters')
    .option('--since <time>', 'deliveries created at or after this ISO 8601 time')
    .option('--until <time>', 'deliveries created before this ISO 8601 time')
    .option('--json', 'machine-readable output')
    .action(async (endpointId: string, opts: Omit<DeliveriesReplayOptions, 'endpointId'>) =>
      setExitCode(await runDeliveriesReplay(await deps(), { endpointId, ...opts })),
    );
}
