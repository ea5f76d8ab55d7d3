import { DEFAULT_ENVIRONMENT, ENVIRONMENT_SEPARATOR } from '@kombo-sync/config';
import { and, eq, inArray, sql, type SQL } from 'drizzle-orm';
import { toExecutor, type DbLike } from './create-database.js';
import { sumRunningProgress, toIntegrationStatus, type IntegrationStatus } from './integration-status.js';
import { syncProgress, type SyncProgressRow } from './schema/sync-progress.js';
import { flagColumn, flagColumns, type StatusClock, type StatusFilterName } from './status-filters.js';

/** Rows of one page of the status list by default, and at most. */
export const DEFAULT_STATUS_PAGE_SIZE = 50;
export const MAX_STATUS_PAGE_SIZE = 500;

/** Which integrations the status list shows, and which page of them. */
export interface StatusQuery extends StatusClock {
  /** Integrations in any of these states (none: every integration). */
  filters?: readonly StatusFilterName[];
  /** Kombo's category, exactly (`HRIS`, `ATS`, …). */
  category?: string;
  /** The tool, case-insensitively (`personio`). */
  tool?: string;
  /**
   * The Kombo environment: `default` (keys without an environment, KOMBO_API_KEY's) or a name of KOMBO_ENVIRONMENTS
   * (keys `<name>/<Kombo id>`).
   */
  environment?: string;
  /** A piece of the integration id, the end user's origin id or organisation name, case-insensitively. */
  search?: string;
  /** Keyset paging: the integrations after this id (the next page)… */
  after?: string;
  /** …or before it (the previous page). At most one of the two. */
  before?: string;
  /** Rows per page, 1..{@link MAX_STATUS_PAGE_SIZE}; default {@link DEFAULT_STATUS_PAGE_SIZE}. */
  limit?: number;
}

/** One page of the status list, ordered by id, with the cursors of its neighbours. */
export interface StatusPage {
  integrations: IntegrationStatus[];
  /** `after` of the next page; null on the last page. */
  nextAfter: string | null;
  /** `before` of the previous page; null on the first page. */
  previousBefore: string | null;
}

/** Over the flags of `f`: any of `filters` holds (none: true). */
function inAnyState(filters: readonly StatusFilterName[]): SQL {
  return filters.length === 0
    ? sql`true`
    : sql.join(
        filters.map((name) => sql`f.${flagColumn(name)}`),
        sql` OR `,
      );
}

/** `%`, `_` and `\` of a search matched literally by ILIKE … ESCAPE '\'. */
const likePattern = (text: string) => `%${text.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;

/** Integrations of an environment, by their keys: the default one's have no separator, `us`'s start `us/`. */
function inEnvironment(environment: string): SQL {
  return environment === DEFAULT_ENVIRONMENT
    ? sql`strpos(i.id, ${ENVIRONMENT_SEPARATOR}::text) = 0`
    : sql`starts_with(i.id, ${environment + ENVIRONMENT_SEPARATOR}::text)`;
}

/**
 * The WHERE over `integrations i` of a query's category, tool, environment, search and cursor (deleted ones never
 * show).
 */
function integrationWhere(query: Omit<StatusQuery, keyof StatusClock>): SQL {
  const conditions: SQL[] = [sql`i.deleted_at IS NULL`];
  if (query.category) conditions.push(sql`i.category = ${query.category}::text`);
  if (query.environment !== undefined) conditions.push(inEnvironment(query.environment));
  if (query.tool) conditions.push(sql`lower(i.tool) = lower(${query.tool}::text)`);
  if (query.search) {
    const pattern = likePattern(query.search);
    conditions.push(sql`(i.id ILIKE ${pattern}::text ESCAPE '\\' OR i.origin_id ILIKE ${pattern}::text ESCAPE '\\'
      OR i.organization_name ILIKE ${pattern}::text ESCAPE '\\')`);
  }
  if (query.after !== undefined) conditions.push(sql`i.id > ${query.after}::text`);
  if (query.before !== undefined) conditions.push(sql`i.id < ${query.before}::text`);
  return sql.join(conditions, sql` AND `);
}

/**
 * The status rows of the integrations `where` selects, in states `filters` (any of them; none: all), ordered by
 * id, at most `limit`. The states are computed once per query from the small indexed sets of
 * {@link flagColumns} (never every model of every integration); the per-integration aggregates (models,
 * last error, quarantine, latest run through `integrations.last_run_id`) only for the rows returned.
 */
export async function selectIntegrationStatus(
  db: DbLike,
  {
    clock,
    where,
    filters = [],
    isDescending = false,
    limit,
  }: {
    clock: StatusClock;
    where: SQL;
    filters?: readonly StatusFilterName[];
    isDescending?: boolean;
    limit: number;
  },
): Promise<IntegrationStatus[]> {
  const direction = sql.raw(isDescending ? 'DESC' : 'ASC');
  const inStates =
    filters.length === 0
      ? sql`true`
      : sql.join(
          filters.map((name) => sql`f.${flagColumn(name)}`),
          sql` OR `,
        );
  const result = await toExecutor(db).execute<Record<string, unknown>>(sql`
    WITH page AS (
      SELECT f.* FROM (
        -- OFFSET 0 keeps the flags computed once per row (not again where the outer query filters on them).
        SELECT i.id, i.tool, i.category, i.origin_id, i.organization_name, i.state, i.setup_status, i.is_paused,
          i.not_found_since, i.kombo_sync_state, i.kombo_sync_ended_at, i.kombo_sync_log_url, i.last_run_id,
          ${flagColumns(clock)}
        FROM integrations i WHERE ${where}
        ORDER BY i.id ${direction} OFFSET 0
      ) f
      WHERE ${inStates}
      ORDER BY f.id ${direction} LIMIT ${limit}::int
    )
    SELECT page.*, st.*, le.*, q.quarantined,
      r.id AS run_id, r.kind AS run_kind, r.trigger AS run_trigger, r.status AS run_status,
      r.started_at AS run_started_at, r.finished_at AS run_finished_at, r.error AS run_error
    FROM page
    LEFT JOIN LATERAL (
      SELECT count(*) FILTER (WHERE s.skipped_reason IS NULL) AS models_active,
        count(*) FILTER (WHERE s.last_success_at IS NOT NULL) AS models_synced,
        count(*) FILTER (WHERE s.consecutive_failures > 0) AS models_failing,
        count(*) FILTER (WHERE s.skipped_reason IS NOT NULL) AS models_skipped,
        min(s.last_success_at) FILTER (WHERE s.skipped_reason IS NULL) AS oldest_success,
        max(s.last_success_at) AS last_success_at
      FROM sync_state s WHERE s.integration_id = page.id
    ) st ON true
    LEFT JOIN LATERAL (
      SELECT s.model AS error_model, s.last_error_code AS error_code, s.last_error_message AS error_message,
        s.last_error_log_url AS error_log_url, s.last_error_at AS error_at
      FROM sync_state s WHERE s.integration_id = page.id AND s.consecutive_failures > 0
      ORDER BY s.last_error_at DESC NULLS LAST LIMIT 1
    ) le ON true
    LEFT JOIN LATERAL (
      SELECT count(*) AS quarantined FROM quarantined_records q WHERE q.integration_id = page.id
    ) q ON true
    LEFT JOIN sync_runs r ON r.id = page.last_run_id
    ORDER BY page.id ${direction}`);
  const ids = result.rows.map((row) => String(row.id));
  const running = sumRunningProgress(await runningPasses(db, ids), clock.now);
  return result.rows.map((row) =>
    toIntegrationStatus(row, { now: clock.now, running: running.get(String(row.id)) }),
  );
}

/** The running passes (of live runs) of these integrations. */
async function runningPasses(db: DbLike, integrationIds: readonly string[]): Promise<SyncProgressRow[]> {
  if (integrationIds.length === 0) return [];
  return toExecutor(db)
    .select()
    .from(syncProgress)
    .where(
      and(
        inArray(syncProgress.integrationId, [...integrationIds]),
        eq(syncProgress.status, 'running'),
        sql`EXISTS (SELECT 1 FROM sync_runs r WHERE r.id = ${syncProgress.runId} AND r.status = 'running')`,
      ),
    );
}

/**
 * One page of the fleet's integrations for the status views (the dashboard's page and `/api/integrations`, and
 * `kombo-sync status`): those in any of `filters`, of the category, tool and environment, matching `search`,
 * ordered by id and paged by keyset (`after`/`before` an id, never OFFSET), so a page costs the same anywhere in a
 * large fleet and stays stable while integrations come and go.
 */
export async function listIntegrationStatus(db: DbLike, query: StatusQuery): Promise<StatusPage> {
  if (query.after !== undefined && query.before !== undefined)
    throw new RangeError('a status page is either after or before a cursor, not both');
  const limit = Math.min(
    MAX_STATUS_PAGE_SIZE,
    Math.max(1, Math.floor(query.limit ?? DEFAULT_STATUS_PAGE_SIZE)),
  );
  const isBackwards = query.before !== undefined;
  const rows = await selectIntegrationStatus(db, {
    clock: query,
    where: integrationWhere(query),
    filters: query.filters ?? [],
    isDescending: isBackwards,
    limit: limit + 1,
  });
  const hasMore = rows.length > limit;
  const shown = rows.slice(0, limit);
  if (isBackwards) shown.reverse();
  const first = shown[0]?.id ?? null;
  const last = shown.at(-1)?.id ?? null;
  return {
    integrations: shown,
    // Going forwards there is a next page when a row beyond this one exists; going back, there always is one.
    nextAfter: isBackwards ? last : hasMore ? last : null,
    previousBefore: isBackwards ? (hasMore ? first : null) : query.after !== undefined ? first : null,
  };
}

/** How many integrations a query selects over all its pages (its cursor and limit ignored). */
export async function countIntegrationStatus(db: DbLike, query: StatusQuery): Promise<number> {
  const { after: _after, before: _before, ...selection } = query;
  const result = await toExecutor(db).execute<{ count: string }>(sql`
    SELECT count(*) AS count FROM (
      SELECT ${flagColumns(query)} FROM integrations i WHERE ${integrationWhere(selection)} OFFSET 0
    ) f
    WHERE ${inAnyState(query.filters ?? [])}`);
  return Number(result.rows[0]?.count ?? 0);
}
