/**
 * Sync path benchmarks over one sandbox integration (hris_employees only), all baselines run in the same run:
 * fetch-only rate, full sync (kombo client → runIntegrationSync → packages/db's createPgSyncStore → writePage) against a
 * naive per-record upsert, the fetch-only rate and a Postgres COPY; re-sync of unchanged data against an unguarded
 * page upsert; a 10-change delta sync (requests and time).
 */
import { createReadStream, createWriteStream, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { randomBytes } from 'node:crypto';
import copyStreams from 'pg-copy-streams';
import { defaultsOf, syncSettings } from '@kombo-sync/config';
import { createKomboClient, type KomboClient } from '@kombo-sync/kombo';
import { createLogger } from '@kombo-sync/logger';
import {
  acquireLease,
  fetchOrder,
  startRun,
  createPgSyncStore,
  upsertIntegration,
  withTransaction,
  type Database,
} from '@kombo-sync/db';
import { pageJson } from '@kombo-sync/db/testing';
import {
  runIntegrationSync,
  type SyncSource,
  type SyncStore,
  type RunSummary,
  type KomboRecord,
  type WritePageResult,
} from '@kombo-sync/sync';
import { createKomboSyncSource } from '@kombo-sync/worker/testing';
import { naiveUpsert, unguardedPageSql } from './unguarded-write-page.js';
import { cpuSecondsOf, medianBy, print, SANDBOX_KEY, timed, type SandboxProcess } from './services.js';

const { from: copyFrom, to: copyTo } = copyStreams;
const MODEL = 'hris_employees';
const SYNC_DEFAULTS = defaultsOf(syncSettings);
const PAGE_SIZE = 250;
const logger = createLogger({ name: 'bench', level: 'warn', format: 'json' });

export interface Rate {
  records: number;
  seconds: number;
  /** records per second */
  rate: number;
}

export interface SyncRunFigures extends Rate {
  pages: number;
  /** Seconds the engine waited for pages (not overlapped by a write) and spent inside store.writePage. */
  fetchWaitSeconds: number;
  writeSeconds: number;
  /** CPU seconds used during the run by this process (client + engine), the sandbox and our Postgres backends. */
  cpu: { bench: number; sandbox: number; postgres: number };
}

export interface SyncBenchResult {
  fetch: Rate & { pages: number; pagesPerSecond: number };
  /** The round with the median full-sync rate; every round in `rounds`. */
  fullSync: SyncRunFigures;
  naive: Rate;
  /** Median COPY rate over the rounds. */
  copy: Rate;
  /** Full sync into an empty mirror, then COPY of its rows, alternated so drift on a shared machine hits both. */
  rounds: { fullSync: SyncRunFigures; copy: Rate }[];
  resyncGuarded: SyncRunFigures;
  resyncUnguarded: SyncRunFigures;
  delta: { changes: number; requests: number; seconds: number; records: number };
}

const rate = (records: number, seconds: number): Rate => ({ records, seconds, rate: records / seconds });

/** Client-only pass over every page: the ceiling a sync is held against. */
export async function benchFetch(client: KomboClient, integrationId: string) {
  const { value, seconds } = await timed(async () => {
    let records = 0;
    let pages = 0;
    for await (const page of client.pages(MODEL, { integrationId, pageSize: PAGE_SIZE })) {
      records += page.results.length;
      pages += 1;
    }
    return { records, pages };
  });
  return { ...rate(value.records, seconds), pages: value.pages, pagesPerSecond: value.pages / seconds };
}

/** Wraps a source and a store to measure where a sync's time goes (fetch wait vs write). */
function instrument(source: SyncSource, store: SyncStore) {
  const busy = { fetchWait: 0, write: 0 };
  const timedSource: SyncSource = {
    pages: (model, options) => {
      const inner = source.pages(model, options)[Symbol.asyncIterator]();
      return {
        [Symbol.asyncIterator]() {
          return {
            next: async () => inner.next(),
            return: async () => (inner.return ? inner.return() : { done: true, value: undefined }),
          };
        },
      };
    },
  };
  const timedStore: SyncStore = {
    ...store,
    writePage: async (input) => {
      const started = performance.now();
      try {
        return await store.writePage(input);
      } finally {
        busy.write += (performance.now() - started) / 1000;
      }
    },
  };
  return { source: timedSource, store: timedStore, busy };
}

/** CPU seconds so far of this process, the sandbox and the Postgres backends of `database`'s connections. */
async function cpuNow(
  database: Database,
  sandboxPid: number,
): Promise<{ bench: number; sandbox: number; postgres: Map<number, number> }> {
  const { rows } = await database.pool.query<{ pid: number }>(
    `SELECT pid FROM pg_stat_activity WHERE datname = current_database()`,
  );
  const usage = process.cpuUsage();
  return {
    bench: (usage.user + usage.system) / 1e6,
    sandbox: cpuSecondsOf(sandboxPid),
    postgres: new Map(rows.map((row) => [row.pid, cpuSecondsOf(row.pid)])),
  };
}

async function syncOnce(
  sandboxPid: number,
  database: Database,
  source: SyncSource,
  store: SyncStore,
  integrationId: string,
  mode: 'full' | 'delta',
): Promise<{ summary: RunSummary; figures: SyncRunFigures }> {
  const runId = await startRun(database, { integrationId, kind: mode, trigger: 'manual' });
  const measured = instrument(source, store);
  const cpuBefore = await cpuNow(database, sandboxPid);
  const { value: summary, seconds } = await timed(() =>
    runIntegrationSync(
      { source: measured.source, store: measured.store, logger },
      {
        integrationId,
        runId,
        models: [MODEL],
        mode,
        overlapMs: SYNC_DEFAULTS.overlapMs,
        concurrency: SYNC_DEFAULTS.concurrencyPerIntegration,
        passCursorMaxAgeMs: SYNC_DEFAULTS.passCursorMaxAgeMs,
      },
    ),
  );
  const cpuAfter = await cpuNow(database, sandboxPid);
  let postgres = 0;
  for (const [pid, after] of cpuAfter.postgres) postgres += after - (cpuBefore.postgres.get(pid) ?? 0);
  const cpu = {
    bench: cpuAfter.bench - cpuBefore.bench,
    sandbox: cpuAfter.sandbox - cpuBefore.sandbox,
    postgres,
  };
  if (summary.status !== 'succeeded') {
    throw new Error(`${mode} sync ${summary.status}: ${JSON.stringify(summary.models[0]?.error?.message)}`);
  }
  const model = summary.models[0];
  const records = model?.records ?? 0;
  return {
    summary,
    figures: {
      ...rate(records, seconds),
      pages: model?.pages ?? 0,
      writeSeconds: measured.busy.write,
      // The engine overlaps the next fetch with the write; what is left of the wall time was spent waiting.
      fetchWaitSeconds: Math.max(0, seconds - measured.busy.write),
      cpu,
    },
  };
}

/** A store whose writePage is the unguarded statement (same transaction shape, no outbox: nothing is "changed"). */
function unguardedStore(database: Database, base: SyncStore): SyncStore {
  const text = unguardedPageSql(MODEL);
  return {
    ...base,
    writePage: (input) =>
      withTransaction(database, async (tx) => {
        void tx;
        const result = await database.pool.query<{ id: string; inserted: boolean; is_deleted: boolean }>(
          text,
          [
            pageJson(input.records, input.rawRecords),
            input.integrationId,
            input.komboFetchedAt.toISOString(),
            input.runId,
            input.isFullPass,
            fetchOrder(input.runId, input.pageIndex),
          ],
        );
        const inserted = result.rows.filter((row) => row.inserted).length;
        const out: WritePageResult = {
          inserted,
          updated: result.rows.length - inserted,
          unchanged: 0,
          deleted: 0,
          changedIds: [],
          deletedIds: [],
          quarantined: 0,
          quarantinedIds: [],
        };
        return out;
      }),
  };
}

async function benchNaive(
  database: Database,
  client: KomboClient,
  integrationId: string,
  count: number,
): Promise<Rate> {
  const records: KomboRecord[] = [];
  let fetchedAt = new Date();
  for await (const page of client.pages(MODEL, { integrationId, pageSize: PAGE_SIZE })) {
    fetchedAt = page.komboTime;
    records.push(...page.results);
    if (records.length >= count) break;
  }
  records.length = Math.min(records.length, count);
  await database.pool.query(`DROP TABLE IF EXISTS bench_naive`);
  await database.pool.query(`CREATE TABLE bench_naive (LIKE ${MODEL} INCLUDING ALL)`);
  const upsert = naiveUpsert(MODEL, 'bench_naive');
  const { seconds } = await timed(async () => {
    for (const record of records) await upsert(database.pool, integrationId, record, fetchedAt, 1);
  });
  await database.pool.query(`DROP TABLE bench_naive`);
  return rate(records.length, seconds);
}

/** COPY of the synced rows (exported to a file first, untimed) into an empty table of the same shape. */
async function benchCopy(database: Database, integrationId: string): Promise<Rate> {
  const file = path.join(os.tmpdir(), `kombo-bench-${randomBytes(4).toString('hex')}.copy`);
  const client = await database.pool.connect();
  try {
    const escaped = integrationId.replace(/'/g, "''");
    await pipeline(
      client.query(copyTo(`COPY (SELECT * FROM ${MODEL} WHERE integration_id = '${escaped}') TO STDOUT`)),
      createWriteStream(file),
    );
    await client.query(`DROP TABLE IF EXISTS bench_copy`);
    await client.query(`CREATE TABLE bench_copy (LIKE ${MODEL} INCLUDING ALL)`);
    const { seconds } = await timed(() =>
      pipeline(createReadStream(file), client.query(copyFrom(`COPY bench_copy FROM STDIN`))),
    );
    const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM bench_copy`);
    await client.query(`DROP TABLE bench_copy`);
    return rate(Number(rows[0]?.n ?? 0), seconds);
  } finally {
    client.release();
    rmSync(file, { force: true });
  }
}

interface StatsBody {
  byIntegration: Record<string, { requests: number }>;
}

/** Empties the model's mirror and sync state, so the next full sync is an initial one again. */
async function resetMirror(database: Database, integrationId: string): Promise<void> {
  await database.pool.query(`TRUNCATE ${MODEL}, sync_seen_ids`);
  await database.pool.query(`DELETE FROM sync_state WHERE integration_id = $1`, [integrationId]);
}

/** Runs the whole sync suite against one fresh integration of `employees` employees. */
export async function benchSync(opts: {
  sandbox: SandboxProcess;
  database: Database;
  employees: number;
  naiveRecords: number;
  changes?: number;
  /** Rounds of (full sync into an empty mirror, COPY); default 3. */
  rounds?: number;
}): Promise<SyncBenchResult> {
  const { sandbox, database, employees, rounds: roundCount = 3 } = opts;
  const changes = opts.changes ?? 10;
  const { id: integrationId } = await sandbox.admin<{ id: string }>('POST', '/integrations', {
    tool: 'personio',
    sizes: { employees },
  });
  await upsertIntegration(database, { id: integrationId, tool: 'personio', category: 'HRIS' });
  const client = createKomboClient({ baseUrl: sandbox.url, apiKey: SANDBOX_KEY });
  try {
    const source = createKomboSyncSource(client, { pageSize: PAGE_SIZE });
    const lease = await acquireLease(database, {
      integrationId,
      holder: 'bench',
      ttlMs: 24 * 60 * 60 * 1000,
    });
    if (!lease.isAcquired) throw new Error(`the lease of ${integrationId} is held by ${lease.holder}`);
    const store = createPgSyncStore({ database, fence: lease.fence });

    // Warm-up (JIT of both processes, connections), then the measured fetch-only pass.
    let warmUpPages = 0;
    for await (const page of client.pages(MODEL, { integrationId, pageSize: PAGE_SIZE })) {
      void page;
      if (++warmUpPages >= 20) break;
    }
    const fetch = await benchFetch(client, integrationId);
    print(
      `fetch-only: ${fetch.records} records in ${fetch.seconds.toFixed(2)} s = ${Math.round(fetch.rate)} records/s, ` +
        `${fetch.pagesPerSecond.toFixed(1)} pages/s`,
    );

    const naive = await benchNaive(database, client, integrationId, opts.naiveRecords);
    print(
      `naive per-record upsert: ${naive.records} records in ${naive.seconds.toFixed(2)} s = ${Math.round(naive.rate)} records/s`,
    );

    const rounds: SyncBenchResult['rounds'] = [];
    for (let round = 1; round <= roundCount; round++) {
      if (round > 1) await resetMirror(database, integrationId);
      const full = await syncOnce(sandbox.pid, database, source, store, integrationId, 'full');
      print(describeRun(`round ${round}: full sync into an empty mirror`, full.figures));
      const copy = await benchCopy(database, integrationId);
      print(
        `round ${round}: COPY into an empty copy of the table: ${copy.records} rows in ${copy.seconds.toFixed(2)} s = ` +
          `${Math.round(copy.rate)} rows/s`,
      );
      rounds.push({ fullSync: full.figures, copy });
    }
    const fullSync = medianBy(rounds, (r) => r.fullSync.rate).fullSync;
    const copy = medianBy(rounds, (r) => r.copy.rate).copy;
    print(`medians: full sync ${Math.round(fullSync.rate)} records/s, COPY ${Math.round(copy.rate)} rows/s`);

    const unguarded = await syncOnce(
      sandbox.pid,
      database,
      source,
      unguardedStore(database, store),
      integrationId,
      'full',
    );
    print(describeRun('re-sync, unguarded upsert', unguarded.figures));
    const guarded = await syncOnce(sandbox.pid, database, source, store, integrationId, 'full');
    print(describeRun('re-sync, guarded (no-op)', guarded.figures));
    const unchanged = guarded.summary.totals.unchanged;
    if (unchanged !== employees) print(`  note: ${unchanged} of ${employees} rows reported unchanged`);

    await sandbox.admin('POST', `/integrations/${encodeURIComponent(integrationId)}/mutate`, {
      updates: changes,
      models: [MODEL],
    });
    await sandbox.admin('POST', '/stats/reset');
    const delta = await syncOnce(sandbox.pid, database, source, store, integrationId, 'delta');
    const stats = await sandbox.admin<StatsBody>('GET', '/stats');
    const requests = stats.byIntegration[integrationId]?.requests ?? Number.NaN;
    print(
      `delta sync of ${changes} changes: ${requests} requests, ${delta.figures.records} records, ` +
        `${(delta.figures.seconds * 1000).toFixed(1)} ms`,
    );
    return {
      fetch,
      fullSync,
      naive,
      copy,
      rounds,
      resyncGuarded: guarded.figures,
      resyncUnguarded: unguarded.figures,
      delta: { changes, requests, seconds: delta.figures.seconds, records: delta.figures.records },
    };
  } finally {
    client.close();
  }
}

function describeRun(name: string, figures: SyncRunFigures): string {
  return (
    `${name}: ${figures.records} records in ${figures.seconds.toFixed(2)} s = ${Math.round(figures.rate)} records/s ` +
    `(store.writePage busy ${figures.writeSeconds.toFixed(2)} s, waiting for pages ${figures.fetchWaitSeconds.toFixed(2)} s; ` +
    `CPU s: bench ${figures.cpu.bench.toFixed(1)}, sandbox ${figures.cpu.sandbox.toFixed(1)}, ` +
    `Postgres ${figures.cpu.postgres.toFixed(1)})`
  );
}
