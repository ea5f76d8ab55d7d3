/**
 * The operator's views and the bookkeeping at fleet scale (section `ops`):
 * - the status page and `/api/integrations` of a real dashboard process over a seeded fleet (10,000 integrations,
 *   90 finished runs each over 30 days, seeded by SQL), against main's loader on the same data (every integration
 *   with every model, the latest run by `DISTINCT ON` over the run history);
 * - Postgres bytes of bookkeeping per integration after 90 simulated days of history with the retention running,
 *   against the same after 30 days (and, for context, 90 days without retention).
 */
import type { ChildProcess } from 'node:child_process';
import { pruneHistory, type Database } from '@kombo-sync/db';
import { seedFleet, seedRunHistory, type FleetMember } from '@kombo-sync/db/testing';
import { sql } from 'drizzle-orm';
import { createBenchDatabase, median, print, spawnApp, stopChild } from './services.js';

const CREDENTIALS = { user: 'bench', password: 'bench-password' };

export interface ViewFigures {
  /** Median wall time of a request, ms. */
  ms: number;
  /** Bytes of the response body. */
  bytes: number;
}

export interface StatusViewsResult {
  integrations: number;
  runs: number;
  seedSeconds: number;
  page: ViewFigures;
  api: ViewFigures;
  /** The first page of a filter (lagging), for context. */
  filtered: ViewFigures;
  /** main's loader on the same data: its queries, and the JSON of what they read. */
  baseline: ViewFigures;
}

async function startDashboard(env: Record<string, string>): Promise<{ url: string; child: ChildProcess }> {
  const { child, match } = await spawnApp(
    'apps/dashboard/src/main.ts',
    {
      ...env,
      DASHBOARD_PORT: '0',
      DASHBOARD_USERNAME: CREDENTIALS.user,
      DASHBOARD_PASSWORD: CREDENTIALS.password,
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
      LOG_FORMAT: 'json',
    },
    /"port":(\d+)[^\n]*dashboard listening/,
  );
  return { url: `http://127.0.0.1:${match[1]}`, child };
}

/** `rounds` sequential GETs after one warm-up: the median time and the body's size. */
async function measure(url: string, rounds: number): Promise<ViewFigures> {
  const authorization = `Basic ${Buffer.from(`${CREDENTIALS.user}:${CREDENTIALS.password}`).toString('base64')}`;
  const get = async () => {
    const started = performance.now();
    const response = await fetch(url, { headers: { authorization } });
    const body = Buffer.from(await response.arrayBuffer());
    if (!response.ok) throw new Error(`GET ${url}: ${response.status}`);
    return { ms: performance.now() - started, bytes: body.length };
  };
  await get();
  const samples: ViewFigures[] = [];
  for (let round = 0; round < rounds; round++) samples.push(await get());
  return { ms: median(samples.map((s) => s.ms)), bytes: median(samples.map((s) => s.bytes)) };
}

/**
 * What main's status loader did for the page and the API (apps/dashboard/src/status-queries.ts before the status
 * views): every live integration, every model's sync state, the latest run of each by DISTINCT ON over the run
 * history, quarantine counts and running passes, all read and serialised.
 */
async function mainLoader(db: Database): Promise<number> {
  const [integrations, states, latestRuns, quarantine, progress] = await Promise.all([
    db.db.execute(sql`SELECT * FROM integrations WHERE deleted_at IS NULL ORDER BY id`),
    db.db.execute(sql`SELECT * FROM sync_state`),
    db.db.execute(sql`SELECT DISTINCT ON (integration_id) * FROM sync_runs ORDER BY integration_id, id DESC`),
    db.db.execute(
      sql`SELECT integration_id, model, count(*)::int FROM quarantined_records GROUP BY integration_id, model`,
    ),
    db.db.execute(sql`SELECT * FROM sync_progress WHERE status = 'running'`),
  ]);
  return Buffer.byteLength(
    JSON.stringify({
      integrations: integrations.rows,
      states: states.rows,
      latestRuns: latestRuns.rows,
      quarantine: quarantine.rows,
      progress: progress.rows,
    }),
  );
}

/** The status page and `/api/integrations` of a real dashboard over `integrations` seeded integrations. */
export async function benchStatusViews(opts: {
  databaseUrl: string;
  redisUrl: string;
  integrations: number;
  runsPerIntegration: number;
  rounds?: number;
}): Promise<StatusViewsResult> {
  const rounds = opts.rounds ?? 5;
  const bench = await createBenchDatabase(opts.databaseUrl);
  let dashboard: { url: string; child: ChildProcess } | undefined;
  try {
    const db = bench.database;
    const seedStarted = performance.now();
    await seedFleet(db, {
      integrations: opts.integrations,
      runsPerIntegration: opts.runsPerIntegration,
      historyDays: 30,
    });
    // What autovacuum does to a table that grew by this much: statistics and the visibility map.
    await db.pool.query('VACUUM ANALYZE');
    const seedSeconds = (performance.now() - seedStarted) / 1000;
    const runs = Number((await db.pool.query('SELECT count(*) AS n FROM sync_runs')).rows[0].n);
    print(`ops: seeded ${opts.integrations} integrations, ${runs} runs in ${seedSeconds.toFixed(1)} s`);

    dashboard = await startDashboard({
      DATABASE_URL: bench.url,
      REDIS_URL: opts.redisUrl,
      QUEUE_PREFIX: `{bench-ops-${process.pid}}`,
    });
    const page = await measure(`${dashboard.url}/`, rounds);
    const api = await measure(`${dashboard.url}/api/integrations`, rounds);
    const filtered = await measure(`${dashboard.url}/?filter=lagging`, rounds);

    const samples: ViewFigures[] = [];
    await mainLoader(db);
    for (let round = 0; round < Math.min(rounds, 3); round++) {
      const started = performance.now();
      const bytes = await mainLoader(db);
      samples.push({ ms: performance.now() - started, bytes });
    }
    const baseline = { ms: median(samples.map((s) => s.ms)), bytes: median(samples.map((s) => s.bytes)) };
    return { integrations: opts.integrations, runs, seedSeconds, page, api, filtered, baseline };
  } finally {
    if (dashboard) await stopChild(dashboard.child);
    await bench.drop();
  }
}

/** The tables of bookkeeping: everything the fleet keeps besides the mirror's model tables. */
const BOOKKEEPING_TABLES = [
  'integrations',
  'sync_state',
  'sync_runs',
  'sync_progress',
  'sync_passes',
  'sync_seen_ids',
  'sync_leases',
  'quarantined_records',
  'change_outbox',
  'embedded_refresh_pending',
  'purged_records',
  'maintenance_runs',
];

async function bookkeepingBytes(db: Database): Promise<number> {
  const result = await db.pool.query(
    `SELECT sum(pg_total_relation_size(t::regclass))::bigint AS bytes FROM unnest($1::text[]) AS t`,
    [BOOKKEEPING_TABLES],
  );
  return Number(result.rows[0].bytes);
}

export interface BookkeepingResult {
  integrations: number;
  runsPerDay: number;
  /** Bytes per integration with the retention, after 30 and after 90 days. */
  retained: { day30: number; day90: number };
  /** Bytes per integration without retention, after 30 and after 90 days (what main kept). */
  unbounded: { day30: number; day90: number };
}

/**
 * 90 simulated days of history for `integrations` integrations (`runsPerDay` finished runs each per day), in two
 * databases side by side: one where the history retention (30 days) runs each day, and one without retention; in
 * both a plain VACUUM follows each day, as autovacuum would (runs update `integrations.last_run_id`). Postgres's clock cannot be moved, so day d's runs are dated
 * `90 - d` days ago and its retention cuts at `30 + 90 - d` days ago: the same cut, relative to that day.
 */
export async function benchBookkeeping(opts: {
  databaseUrl: string;
  integrations: number;
  runsPerDay: number;
  days?: number;
}): Promise<BookkeepingResult> {
  const days = opts.days ?? 90;
  const retained = await createBenchDatabase(opts.databaseUrl, 2);
  const unbounded = await createBenchDatabase(opts.databaseUrl, 2);
  try {
    let members: FleetMember[] = [];
    for (const db of [retained.database, unbounded.database])
      members = await seedFleet(db, { integrations: opts.integrations, runsPerIntegration: 0 });
    const perIntegration = async (db: Database) => (await bookkeepingBytes(db)) / opts.integrations;
    const figures = { retained: { day30: 0, day90: 0 }, unbounded: { day30: 0, day90: 0 } };
    for (let day = 1; day <= days; day++) {
      const olderByDays = days - day;
      for (const db of [retained.database, unbounded.database])
        await seedRunHistory(db, {
          members,
          runsPerIntegration: opts.runsPerDay,
          historyDays: 1,
          olderByDays,
        });
      await pruneHistory(retained.database, { retentionDays: 30 + olderByDays });
      // Each day what autovacuum does over a day: the space of deleted and updated rows becomes reusable.
      for (const db of [retained.database, unbounded.database]) await db.pool.query('VACUUM');
      if (day === 30 || day === days) {
        const key = day === 30 ? 'day30' : 'day90';
        figures.retained[key] = await perIntegration(retained.database);
        figures.unbounded[key] = await perIntegration(unbounded.database);
        print(
          `ops: day ${day}: ${Math.round(figures.retained[key])} B/integration with retention, ` +
            `${Math.round(figures.unbounded[key])} without`,
        );
      }
    }
    return { integrations: opts.integrations, runsPerDay: opts.runsPerDay, ...figures };
  } finally {
    await Promise.all([retained.drop(), unbounded.drop()]);
  }
}
