// Test and bench support: a large fleet written by SQL (generate_series), in seconds rather than through the API.
import { MODELS } from '@kombo-sync/catalog';
import { sql } from 'drizzle-orm';
import { toExecutor, type DbLike } from '../create-database.js';

/** How the integration with index `n` (1-based) of a seeded fleet is set up; see {@link seedFleet}. */
export function fleetMember(n: number) {
  const isHris = n % 2 === 0;
  const isNeverSynced = n % 97 === 0;
  const hasRuns = !isNeverSynced;
  return {
    id: `${isHris ? 'personio' : 'greenhouse'}:fleet-${String(n).padStart(6, '0')}`,
    tool: isHris ? 'personio' : 'greenhouse',
    category: isHris ? 'HRIS' : 'ATS',
    organizationName: `Org ${n}`,
    originId: `origin-${n}`,
    isNeverSynced,
    isFailing: hasRuns && n % 101 === 0,
    isStale: hasRuns && n % 53 === 0,
    isPaused: n % 89 === 0,
    isNotFound: n % 83 === 0,
    isQuarantined: n % 79 === 0,
    isRunning: hasRuns && n % 73 === 0 && n % 101 !== 0,
  };
}

export type FleetMember = ReturnType<typeof fleetMember>;

/** The states the status views must find for {@link fleetMember} `n`. */
export function expectedStates(member: FleetMember): string[] {
  const states: string[] = [];
  if (member.isNotFound) states.push('not-found');
  if (member.isFailing) states.push('failing');
  if (member.isPaused) states.push('paused');
  if (!member.isPaused && (member.isNeverSynced || member.isStale)) states.push('lagging');
  if (member.isRunning) states.push('running');
  if (member.isQuarantined) states.push('quarantined');
  return states;
}

const modelsOf = (category: string) => MODELS.filter((m) => m.category === category).map((m) => m.name);

/**
 * Writes `integrations` integrations (ids `<tool>:fleet-000001`…, alternately ATS and HRIS) with a sync state for
 * every model of their category and `runsPerIntegration` finished runs each, spread evenly over the last
 * `historyDays` days (Postgres's clock), all by a few INSERT … SELECT over generate_series. Some are in a state
 * ({@link fleetMember}): never synced (every 97th: no state, no run), failing (every 101st: two models fail, the
 * latest run partial), stale (every 53rd: a model last synced two days ago), paused (89th), flagged not found
 * (83rd), with a quarantined record (79th), running (73rd: the latest run runs, with a running pass).
 */
export async function seedFleet(
  db: DbLike,
  {
    integrations,
    runsPerIntegration = 3,
    historyDays = 1,
  }: { integrations: number; runsPerIntegration?: number; historyDays?: number },
): Promise<FleetMember[]> {
  const members = Array.from({ length: integrations }, (_, index) => fleetMember(index + 1));
  const executor = toExecutor(db);
  const rows = JSON.stringify(members.map((m, index) => ({ n: index + 1, ...m })));
  const models = JSON.stringify({ HRIS: modelsOf('HRIS'), ATS: modelsOf('ATS') });
  await executor.execute(sql`
    INSERT INTO integrations (id, tool, category, origin_id, organization_name, state, is_paused, not_found_since,
      created_at)
    SELECT m.id, m.tool, m.category, m."originId", m."organizationName", 'ACTIVE', m."isPaused",
      CASE WHEN m."isNotFound" THEN now() - interval '1 hour' END, now() - interval '400 days'
    FROM json_to_recordset(${rows}::json) AS m(n int, id text, tool text, category text, "originId" text,
      "organizationName" text, "isPaused" boolean, "isNotFound" boolean)`);
  await executor.execute(sql`
    INSERT INTO sync_state (integration_id, model, watermark, last_delta_sync_at, last_full_sync_at, last_success_at,
      consecutive_failures, last_error_code, last_error_message, last_error_at)
    SELECT m.id, model.name, now() - interval '10 minutes', now() - interval '10 minutes', now() - interval '3 days',
      CASE WHEN m."isStale" AND model.ord = 1 THEN now() - interval '2 days'
        ELSE now() - ((m.n * 7) % 300) * interval '1 minute' END,
      CASE WHEN m."isFailing" AND model.ord <= 2 THEN 3 ELSE 0 END,
      CASE WHEN m."isFailing" AND model.ord <= 2 THEN 'REMOTE.SERVER_ERROR' END,
      CASE WHEN m."isFailing" AND model.ord <= 2 THEN 'Kombo answered 500' END,
      CASE WHEN m."isFailing" AND model.ord <= 2 THEN now() - model.ord * interval '1 minute' END
    FROM json_to_recordset(${rows}::json) AS m(n int, id text, category text, "isNeverSynced" boolean,
      "isStale" boolean, "isFailing" boolean)
    CROSS JOIN LATERAL json_array_elements_text(${models}::json -> m.category) WITH ORDINALITY AS model(name, ord)
    WHERE NOT m."isNeverSynced"`);
  await executor.execute(sql`
    INSERT INTO quarantined_records (integration_id, model, record_id, reason_code, reason_class, reason,
      record_text, last_run_id)
    SELECT m.id, ${models}::json -> m.category ->> 0, 'poison-' || m.n, '22003', 'data', 'numeric field overflow',
      '{}', 0
    FROM json_to_recordset(${rows}::json) AS m(n int, id text, category text, "isQuarantined" boolean)
    WHERE m."isQuarantined"`);
  await seedRunHistory(db, { runsPerIntegration, historyDays, members });
  return members;
}

/**
 * Appends `runsPerIntegration` finished runs to each member's history, evenly spread from `historyDays` ago
 * (plus `olderByDays`) up to `olderByDays` ago, each with a small per-model count; the newest becomes the
 * integration's latest run, and for a member that is failing or running it is partial or running (a running one
 * with a running pass). Never-synced members get none.
 */
export async function seedRunHistory(
  db: DbLike,
  {
    members,
    runsPerIntegration,
    historyDays,
    olderByDays = 0,
  }: {
    members: readonly FleetMember[];
    runsPerIntegration: number;
    historyDays: number;
    olderByDays?: number;
  },
): Promise<void> {
  if (runsPerIntegration <= 0) return;
  const executor = toExecutor(db);
  const rows = JSON.stringify(members.filter((m) => !m.isNeverSynced));
  const stepSeconds = (historyDays * 86_400) / runsPerIntegration;
  await executor.execute(sql`
    WITH inserted AS (
      INSERT INTO sync_runs (integration_id, kind, trigger, request_ids, started_at, finished_at, status, counts)
      SELECT m.id, CASE WHEN r % 30 = 0 THEN 'full' ELSE 'delta' END,
        CASE WHEN r % 4 = 0 THEN 'schedule' ELSE 'data-changed' END, ARRAY['req-' || r],
        now() - ${olderByDays}::double precision * interval '1 day'
          - (${runsPerIntegration}::int - r) * ${stepSeconds}::double precision * interval '1 second',
        CASE WHEN r = ${runsPerIntegration}::int AND m."isRunning" AND ${olderByDays}::int = 0 THEN NULL
          ELSE now() - ${olderByDays}::double precision * interval '1 day'
            - (${runsPerIntegration}::int - r) * ${stepSeconds}::double precision * interval '1 second'
            + interval '3 seconds' END,
        CASE WHEN r = ${runsPerIntegration}::int AND ${olderByDays}::int = 0 AND m."isRunning" THEN 'running'
          WHEN r = ${runsPerIntegration}::int AND ${olderByDays}::int = 0 AND m."isFailing" THEN 'partial'
          ELSE 'succeeded' END,
        jsonb_build_object(
          CASE WHEN m.category = 'HRIS' THEN 'hris_employees' ELSE 'ats_candidates' END,
          jsonb_build_object('pages', 1, 'upserted', r % 5, 'unchanged', 120, 'deleted', 0, 'quarantined', 0,
            'status', 'succeeded'))
      FROM generate_series(1, ${runsPerIntegration}::int) AS r
      CROSS JOIN json_to_recordset(${rows}::json) AS m(id text, category text, "isRunning" boolean,
        "isFailing" boolean)
      ORDER BY r, m.id
      RETURNING id, integration_id, status
    ), latest AS (
      UPDATE integrations i SET last_run_id = l.id
      FROM (SELECT integration_id, max(id) AS id FROM inserted GROUP BY integration_id) l
      WHERE i.id = l.integration_id AND (i.last_run_id IS NULL OR i.last_run_id < l.id)
    )
    INSERT INTO sync_progress (integration_id, model, run_id, is_full_pass, status, pages_done, records_done,
      expected_records, expected_pages, started_at, updated_at)
    SELECT integration_id, CASE WHEN integration_id LIKE 'personio:%' THEN 'hris_employees' ELSE 'ats_candidates' END,
      id, true, 'running', 4, 1000, 4000, 16, now() - interval '2 minutes', now() - interval '1 second'
    FROM inserted WHERE status = 'running'
    ON CONFLICT (integration_id, model) DO UPDATE SET run_id = excluded.run_id, status = 'running'`);
}
