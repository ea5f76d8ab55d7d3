import { defaultsOf, statusSettings } from '@kombo-sync/config';
import { sql, type SQL } from 'drizzle-orm';
import { KOMBO_INACTIVE_STATES, KOMBO_SYNC_FAILURE_STATES } from './integration-health-store.js';

/** The status views' lag threshold unless configured: `STATUS_LAG_THRESHOLD_MS`'s default (packages/config). */
export const DEFAULT_LAG_THRESHOLD_MS = defaultsOf(statusSettings).lagThresholdMs;

/** What the status predicates are evaluated against. */
export interface StatusClock {
  /** The reader's clock: lags are measured to it. */
  now: Date;
  /** A model whose last successful sync is older than this makes its integration lag, ms. */
  lagThresholdMs: number;
}

/**
 * One state an integration can be in, as the status views filter, count and show it. Each is one SQL predicate
 * over the row `i` of `integrations`, written as a membership in a set that a small index gives (failing models,
 * stale models, failed runs, running runs, quarantine), so counting a whole fleet reads those sets once rather than
 * every model of every integration. A new state (e.g. from Kombo's health signals) is one entry here: the filters
 * of the dashboard and the CLI, the fleet summary's counts and each integration's flags follow from it.
 */
export interface StatusFilter {
  /** `?filter=` / `--filter` value and JSON key of its count. */
  name: string;
  /** What it means, for help texts and the dashboard. */
  description: string;
  /** An integration in it needs an operator's attention (the default list of `kombo-sync status`). */
  isAttention: boolean;
  /** Shown as the integration's health when it is the first state (in this order) that holds. */
  isHealth: boolean;
  where(clock: StatusClock): SQL;
}

/** `('a', 'b')` of constant strings, for `IN`. */
const sqlList = (values: readonly string[]) => sql.raw(`(${values.map((value) => `'${value}'`).join(', ')})`);

const FAILED_RUN_STATUSES = sqlList(['failed', 'partial']);

/** The states, in the precedence of an integration's health (the first that holds; none: `ok`). */
export const STATUS_FILTERS = [
  {
    name: 'not-found',
    description: 'Kombo answers INTEGRATION_NOT_FOUND (flagged within the grace, or marked NOT_FOUND)',
    isAttention: true,
    isHealth: true,
    where: () => sql`(i.not_found_since IS NOT NULL OR i.state = 'NOT_FOUND')`,
  },
  {
    name: 'inactive',
    description:
      'Kombo reports the integration INACTIVE or INVALID: no request is made until it is ACTIVE again',
    isAttention: true,
    isHealth: true,
    where: () => sql`i.state IN ${sqlList(KOMBO_INACTIVE_STATES)}`,
  },
  {
    name: 'failing',
    description: 'a model failed since its last success, or the latest run failed',
    isAttention: true,
    isHealth: true,
    where: () => sql`(i.id IN (SELECT s.integration_id FROM sync_state s WHERE s.consecutive_failures > 0)
      OR i.last_run_id IN (SELECT r.id FROM sync_runs r WHERE r.status IN ${FAILED_RUN_STATUSES}))`,
  },
  {
    name: 'paused',
    description: 'paused by an operator',
    isAttention: false,
    isHealth: true,
    where: () => sql`i.is_paused`,
  },
  {
    name: 'lagging',
    description: 'not paused, and a model was not synced successfully within the lag threshold, or never',
    isAttention: true,
    isHealth: true,
    where: ({ now, lagThresholdMs }) => sql`(NOT i.is_paused AND (
      i.id IN (SELECT s.integration_id FROM sync_state s
        WHERE s.skipped_reason IS NULL AND (s.last_success_at IS NULL
          OR s.last_success_at < ${new Date(now.getTime() - lagThresholdMs).toISOString()}::timestamptz))
      -- Never synced: no model has a sync state yet. OFFSET 0 keeps it an index-only probe per integration (one
      -- per live integration when counting the fleet), not a hash of every model of every integration.
      OR NOT EXISTS (SELECT 1 FROM sync_state s WHERE s.integration_id = i.id OFFSET 0)))`,
  },
  {
    name: 'running',
    description: 'a sync run is running',
    isAttention: false,
    isHealth: true,
    where: () => sql`i.id IN (SELECT r.integration_id FROM sync_runs r WHERE r.status = 'running')`,
  },
  {
    name: 'kombo-failed',
    description: "Kombo's own latest sync of the integration failed (sync-finished): its data may be stale",
    isAttention: true,
    isHealth: false,
    where: () => sql`i.kombo_sync_state IN ${sqlList(KOMBO_SYNC_FAILURE_STATES)}`,
  },
  {
    name: 'quarantined',
    description: 'records are set aside in quarantine',
    isAttention: true,
    isHealth: false,
    where: () => sql`i.id IN (SELECT q.integration_id FROM quarantined_records q)`,
  },
] as const satisfies readonly StatusFilter[];

export type StatusFilterName = (typeof STATUS_FILTERS)[number]['name'];

/** An integration's health: the first state of {@link STATUS_FILTERS} that holds, `ok` when none. */
export type HealthState = Extract<(typeof STATUS_FILTERS)[number], { isHealth: true }>['name'] | 'ok';

export const STATUS_FILTER_NAMES: readonly StatusFilterName[] = STATUS_FILTERS.map((filter) => filter.name);

/** The states `kombo-sync status` lists by default. */
export const ATTENTION_FILTERS: readonly StatusFilterName[] = STATUS_FILTERS.filter(
  (filter) => filter.isAttention,
).map((filter) => filter.name);

export function isStatusFilterName(value: string): value is StatusFilterName {
  return (STATUS_FILTER_NAMES as readonly string[]).includes(value);
}

/** The name of the column holding a state's flag in {@link flagColumns}: `state_<name>`. */
export const flagKey = (name: StatusFilterName) => `state_${name.replace(/-/g, '_')}`;

/** The SQL column holding a state's flag in {@link flagColumns}. */
export const flagColumn = (name: StatusFilterName) => sql.raw(`"${flagKey(name)}"`);

/** `(predicate) AS "state_<name>"` for every state: one boolean column each, for a select over `integrations i`. */
export function flagColumns(clock: StatusClock): SQL {
  return sql.join(
    STATUS_FILTERS.map((filter) => sql`${filter.where(clock)} AS ${flagColumn(filter.name)}`),
    sql`, `,
  );
}

/** The states whose flag is set in a row selected with {@link flagColumns}, in precedence order. */
export function flagsOf(row: Record<string, unknown>): StatusFilterName[] {
  return STATUS_FILTERS.filter((filter) => row[flagKey(filter.name)] === true).map((filter) => filter.name);
}

/** The health shown for these flags. */
export function healthOf(flags: readonly StatusFilterName[]): HealthState {
  const first = STATUS_FILTERS.find(
    (filter) => filter.isHealth && (flags as readonly string[]).includes(filter.name),
  );
  return (first?.name as HealthState | undefined) ?? 'ok';
}
