import { randomUUID } from 'node:crypto';
import {
  formatDurationMs,
  MIN_FULL_INTERVAL_MS,
  MIN_SAFETY_NET_INTERVAL_MS,
  parseDurationMs,
} from '@kombo-sync/config';
import {
  controlsOf,
  setIntegrationControls,
  type DbLike,
  type IntegrationControls,
  type IntegrationControlsInput,
} from '@kombo-sync/db';
import { applyControlChange, readScheduleDefaults } from '@kombo-sync/queue';
import { EXIT, IntegrationNotFoundError, UsageError } from '../errors.js';
import { modelsOfCategory, parseModelsOption } from '../models-option.js';
import type { Output } from '../output.js';
import type { EnqueueDeps } from './enqueue-sync.js';
import { requireIntegration } from './require-integration.js';
import { terminalJson, terminalText } from '../terminal-text.js';

export interface ControlsDeps extends EnqueueDeps {
  db: DbLike;
  out: Output;
}

export interface ControlsOptions {
  integrationId: string;
  /** true: pause, false: resume, undefined: unchanged. */
  isPaused?: boolean;
  /** `--models a,b`, or `all` for every enabled model. */
  models?: string;
  /** `--full-interval 7d`, or `default` for the fleet's. */
  fullInterval?: string;
  /** `--safety-net-interval 6h`, or `default` for the fleet's. */
  safetyNetInterval?: string;
  json?: boolean;
}

/** Parses an interval option: a duration (`6h`, `7d`, ms) of at least `minMs`, or `default` (null). */
export function parseIntervalOption(
  option: string,
  value: string | undefined,
  minMs: number,
): number | null | undefined {
  if (value === undefined) return undefined;
  if (value.trim() === 'default') return null;
  const ms = parseDurationMs(value);
  if (ms === undefined) throw new UsageError(`${option} must be a duration like 30m, 6h or 7d, or "default"`);
  if (ms < minMs) throw new UsageError(`${option} must be at least ${formatDurationMs(minMs)}`);
  return ms;
}

function describeControls(
  controls: IntegrationControls,
  defaults: { fullEveryMs: number; safetyNetEveryMs: number } | undefined,
): string[] {
  const interval = (own: number | null, fleet: number | undefined) =>
    own !== null
      ? formatDurationMs(own)
      : `fleet default${fleet === undefined ? '' : ` (${formatDurationMs(fleet)})`}`;
  return [
    `  paused:               ${controls.isPaused ? `yes, since ${controls.pauseChangedAt?.toISOString() ?? '?'}` : 'no'}`,
    `  models:               ${controls.models ? controls.models.join(', ') : 'every enabled model'}`,
    `  full sync every:      ${interval(controls.fullIntervalMs, defaults?.fullEveryMs)}`,
    `  safety net every:     ${interval(controls.safetyNetIntervalMs, defaults?.safetyNetEveryMs)}`,
  ];
}

/** The controls change the options ask for (none: an empty input), validated. */
function controlsInputOf(options: ControlsOptions, category: string): IntegrationControlsInput {
  const input: IntegrationControlsInput = {};
  if (options.isPaused !== undefined) input.isPaused = options.isPaused;
  if (options.models !== undefined) {
    input.models =
      options.models.trim() === 'all'
        ? null
        : (parseModelsOption(options.models, modelsOfCategory(category)) ?? null);
  }
  const full = parseIntervalOption('--full-interval', options.fullInterval, MIN_FULL_INTERVAL_MS);
  if (full !== undefined) input.fullIntervalMs = full;
  const safety = parseIntervalOption(
    '--safety-net-interval',
    options.safetyNetInterval,
    MIN_SAFETY_NET_INTERVAL_MS,
  );
  if (safety !== undefined) input.safetyNetIntervalMs = safety;
  return input;
}

/** What changed, in words: the pause or resume, the added models' sync, intervals waiting for a worker. */
function changeLines(
  integrationId: string,
  options: ControlsOptions,
  change: {
    before: IntegrationControls;
    after: IntegrationControls;
    result: Awaited<ReturnType<typeof applyControlChange>>;
    requestId: string;
  },
): string[] {
  const { before, after, result, requestId } = change;
  const id = terminalText(integrationId, 120);
  const lines: string[] = [];
  if (before.isPaused !== after.isPaused) {
    lines.push(
      after.isPaused
        ? `Paused ${id}: webhooks and schedules are still recorded and synced on resume.`
        : `Resumed ${id}: catch-up sync enqueued (job ${result.jobId ?? 'already waiting'}, request ${requestId}).`,
    );
  } else if (options.isPaused !== undefined) {
    lines.push(`${id} was already ${after.isPaused ? 'paused' : 'running'}.`);
  }
  if (!after.isPaused && before.isPaused === after.isPaused && result.requestId !== undefined)
    lines.push(
      `Sync of the added models enqueued (job ${result.jobId ?? 'already waiting'}, request ${requestId}).`,
    );
  if (
    (before.fullIntervalMs !== after.fullIntervalMs ||
      before.safetyNetIntervalMs !== after.safetyNetIntervalMs) &&
    !result.isRescheduled
  )
    lines.push('No worker has started yet: the new intervals apply when one starts.');
  return lines;
}

/**
 * `kombo-sync pause|resume|configure <integration>`: changes the integration's controls in Postgres, then their
 * Redis side (`applyControlChange`: the resume's catch-up sync, initial passes of added models, the scheduler at
 * new intervals), and prints the controls. No change asked for: prints them. Unknown integration → exit 3, bad
 * options → exit 2.
 */
export async function runControls(deps: ControlsDeps, options: ControlsOptions): Promise<number> {
  const integration = await requireIntegration(deps.db, options.integrationId);
  const input = controlsInputOf(options, integration.category);
  const change = await setIntegrationControls(deps.db, integration.id, input);
  if (!change) throw new IntegrationNotFoundError(integration.id);
  const before = controlsOf(change.before);
  const after = controlsOf(change.after);
  const requestId = `cli-${randomUUID()}`;
  const result = await applyControlChange(deps.request, {
    integrationId: integration.id,
    before,
    after,
    requestId,
  });
  const defaults = await readScheduleDefaults(deps.request.redis, deps.request.prefix);
  if (options.json) {
    deps.out.out(
      terminalJson({
        integrationId: integration.id,
        ...after,
        pauseChangedAt: after.pauseChangedAt?.toISOString() ?? null,
        defaults: defaults ?? null,
        ...result,
      }),
    );
    return EXIT.ok;
  }
  const lines = changeLines(integration.id, options, { before, after, result, requestId });
  lines.push(`${terminalText(integration.id, 120)}:`, ...describeControls(after, defaults));
  for (const line of lines) deps.out.out(line);
  return EXIT.ok;
}
