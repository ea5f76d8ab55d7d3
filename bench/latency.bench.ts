/**
 * Webhook-to-row latency with the fleet running: the sandbox sends a signed data-changed webhook to the real
 * ingress after each mutation, the real worker syncs; measured from just before the sandbox mutation to the moment
 * the changed row (polled by id every 5 ms) shows the new changed_at in Postgres. One mutation at a time.
 */
import { createWebhookEndpoint, type Database } from '@kombo-sync/db';
import type { BenchReceiver } from './outbound.bench.js';
import { createTrigger, lastRunId, newQueuePrefix, startFleet, waitForRun } from './fleet.js';
import { percentile, type SectionContext } from './report.js';
import { print, type SandboxProcess } from './services.js';

const SECRET = 'bench-webhook-secret';

export interface LatencyResult {
  samples: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  debounceMs: number;
  /** With a receiver: the same mutations' time to the delivered change webhook. */
  deliveredP50Ms?: number;
  deliveredP99Ms?: number;
}

/** Bulk work held while measuring: large initial syncs, as many as the worker has slots, all requests slowed. */
export interface BulkLoad {
  /** Large integrations whose initial syncs are running or waiting while the samples are taken. */
  integrations: number;
  /** Employees of each. */
  employees: number;
}

export async function benchWebhookLatency(opts: {
  sandbox: SandboxProcess;
  database: Database;
  databaseUrl: string;
  redisUrl: string;
  samples: number;
  /** The sandbox's webhook debounce (Kombo batches changes too); default 0 ms: our fleet's latency alone. */
  debounceMs?: number;
  /** Latency the sandbox adds to every API request, ms (Kombo's pages take 100 ms–2 s); default none. */
  apiLatencyMs?: number;
  /** Bulk work to hold the fleet with while measuring; default none. */
  bulkLoad?: BulkLoad;
  /** Also measure the change webhook's delivery to this receiver (an endpoint is added after the initial sync). */
  receiver?: BenchReceiver;
}): Promise<LatencyResult> {
  const { sandbox, database, samples } = opts;
  const debounceMs = opts.debounceMs ?? 0;
  const queuePrefix = newQueuePrefix();
  const { id: integrationId } = await sandbox.admin<{ id: string }>('POST', '/integrations', {
    tool: 'personio',
    sizes: { employees: 200 },
  });
  const fleet = await startFleet({
    sandbox,
    databaseUrl: opts.databaseUrl,
    redisUrl: opts.redisUrl,
    queuePrefix,
    secret: SECRET,
    ...(opts.receiver ? { workerEnv: { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' } } : {}),
  });
  const trigger = createTrigger(opts.redisUrl, queuePrefix);
  try {
    const before = await lastRunId(database);
    await trigger.sync(integrationId, true);
    await waitForRun(database, integrationId, before, 60_000);
    if (opts.apiLatencyMs) {
      await sandbox.admin('PUT', '/faults', { probability: { latency: 1 }, latencyMs: opts.apiLatencyMs });
    }
    for (let n = 0; n < (opts.bulkLoad?.integrations ?? 0); n++) {
      const big = await sandbox.admin<{ id: string }>('POST', '/integrations', {
        tool: 'personio',
        sizes: { employees: opts.bulkLoad?.employees },
      });
      await trigger.sync(big.id, true);
    }
    await fleet.sendWebhooks({ debounceMs });
    if (opts.receiver)
      await createWebhookEndpoint(database, {
        url: opts.receiver.url,
        secret: opts.receiver.secret,
        integrationIds: [integrationId],
      });

    const latencies: number[] = [];
    const delivered: number[] = [];
    for (let n = 0; n < samples; n++) {
      const started = performance.now();
      await sandbox.admin('POST', `/integrations/${encodeURIComponent(integrationId)}/mutate`, {
        updates: 1,
        models: ['hris_employees'],
      });
      const truth = await sandbox.admin<{ results: Array<{ id: string; changed_at: string }> }>(
        'GET',
        `/integrations/${encodeURIComponent(integrationId)}/truth/hris_employees`,
      );
      const changed = truth.results.reduce((a, b) =>
        Date.parse(b.changed_at) > Date.parse(a.changed_at) ? b : a,
      );
      const deadline = Date.now() + 30_000;
      for (;;) {
        const { rows } = await database.pool.query<{ ok: boolean }>(
          `SELECT changed_at >= $3::timestamptz AS ok FROM hris_employees WHERE integration_id = $1 AND id = $2`,
          [integrationId, changed.id, changed.changed_at],
        );
        if (rows[0]?.ok) break;
        if (Date.now() > deadline) throw new Error(`row ${changed.id} not updated within 30 s`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      latencies.push(performance.now() - started);
      if (opts.receiver) delivered.push((await opts.receiver.waitForId(changed.id, started)) - started);
    }
    const result = {
      samples,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      maxMs: latencies.length > 0 ? Math.max(...latencies) : NaN,
      debounceMs,
      ...(opts.receiver
        ? { deliveredP50Ms: percentile(delivered, 50), deliveredP99Ms: percentile(delivered, 99) }
        : {}),
    };
    const load = opts.bulkLoad
      ? `, ${opts.bulkLoad.integrations} initial syncs of ${opts.bulkLoad.employees} employees running or waiting`
      : '';
    print(
      `webhook-to-row latency over ${samples} mutations (sandbox debounce ${debounceMs} ms, API latency ` +
        `${opts.apiLatencyMs ?? 0} ms${load}): ` +
        `p50 ${result.p50Ms.toFixed(0)} ms, p99 ${result.p99Ms.toFixed(0)} ms, max ${result.maxMs.toFixed(0)} ms` +
        (result.deliveredP99Ms === undefined
          ? ''
          : `; to the delivered change webhook: p50 ${result.deliveredP50Ms?.toFixed(0)} ms, p99 ${result.deliveredP99Ms.toFixed(0)} ms`),
    );
    return result;
  } finally {
    await sandbox.admin('PUT', '/faults', {}).catch(() => undefined);
    await trigger.close();
    await fleet.stop();
  }
}

/** The latency section: webhook-to-row time on an idle fleet. */
export async function latencySection({ fleet, sizes, row }: SectionContext): Promise<void> {
  const r = await benchWebhookLatency({
    ...fleet,
    samples: sizes.latencySamples,
  });
  row({
    name: `webhook-to-row latency p50 (${r.samples} mutations, sandbox debounce ${r.debounceMs} ms)`,
    value: r.p50Ms,
    unit: 'ms',
  });
  row({ name: 'webhook-to-row latency p99', value: r.p99Ms, unit: 'ms' });
}

/**
 * The lanes section: a small integration's changes while large initial syncs hold the fleet (as many as its worker
 * has slots: 4 delta + 2 bulk), Kombo answering in 50 ms: measured against the same fleet with no bulk work, in the
 * same run.
 */
export async function lanesSection({ fleet, isQuick, sizes, compared }: SectionContext): Promise<void> {
  const common = {
    ...fleet,
    samples: sizes.latencySamples,
    apiLatencyMs: 50,
  };
  const idle = await benchWebhookLatency(common);
  const loaded = await benchWebhookLatency({
    ...common,
    bulkLoad: { integrations: 6, employees: isQuick ? 2_000 : 40_000 },
  });
  compared(
    'fleet: small-integration webhook-to-row p99 while bulk syncs hold the workers',
    loaded.p99Ms,
    'ms',
    { name: 'idle fleet p99 ms', value: idle.p99Ms },
    '≤ 2 s',
    () => loaded.p99Ms <= 2_000,
  );
}
