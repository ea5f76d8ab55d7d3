/**
 * `npm run bench`: runs every benchmark, prints each figure, collects BenchRows (figure, baseline, ratio, target,
 * met) and writes bench/results/latest.json + latest.md (and the README's Benchmarks table when
 * BENCH_UPDATE_README=1). Sizes by env: BENCH_EMPLOYEES (100000), BENCH_RSS_RECORDS (1000000), BENCH_QUICK=1 (tiny
 * sizes, under a minute), BENCH_ONLY=schedules,sync,rss,latency,outbound,lanes,slices,onboarding,ingress,budget,resume,deploy,ops,
 * BENCH_OPS_INTEGRATIONS (10000), BENCH_BUDGET_SECONDS (30), BENCH_SLICES_TRIALS (7), BENCH_SLICES_BASELINE_TRIALS (2), BENCH_SLICES_VARIANTS=1 (the
 * harder variants of the slices section too), BENCH_RESUME_RECORDS (100000), BENCH_DEPLOY_RECORDS (100000),
 * BENCH_INGRESS_TRACING=1 (the ingress also with tracing on, exporting to a collector in
 * the bench process). Needs
 * DATABASE_URL and REDIS_URL (the npm script provides them). The sandbox runs in its own child process; each
 * benchmark uses a throwaway database.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WORKER_NODE_FLAGS } from '../scripts/node-options.mjs';
import { benchRequestBudget } from './budget.bench.js';
import { benchIngress } from './ingress.bench.js';
import { benchWebhookLatency } from './latency.bench.js';
import { benchOnboarding } from './onboarding.bench.js';
import { benchBookkeeping, benchStatusViews } from './ops.bench.js';
import { benchDeliveryThroughput, startBenchReceiver } from './outbound.bench.js';
import { toMarkdown, writeResults, machineFacts, type BenchRow } from './report.js';
import { benchDeploy } from './deploy.bench.js';
import { benchResume } from './resume.bench.js';
import { benchWorkerRss } from './rss.bench.js';
import { benchSchedules } from './schedules.bench.js';
import { createBenchDatabase, print, ROOT, startSandbox } from './services.js';
import { benchBulkSlices, percentile } from './slices.bench.js';
import { benchSync } from './sync.bench.js';

// The sync benchmarks run the worker's code in this process, so it gets the worker's production V8 settings (they
// change its GC cost a lot): re-run under them when started without.
if (!WORKER_NODE_FLAGS.every((flag) => process.execArgv.includes(flag))) {
  const child = spawn(
    process.execPath,
    [...WORKER_NODE_FLAGS, ...process.execArgv, ...process.argv.slice(1)],
    {
      stdio: 'inherit',
    },
  );
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
  const [code] = (await once(child, 'exit')) as [number | null];
  process.exit(code ?? 1);
}

const env = process.env;
const isQuick = env['BENCH_QUICK'] === '1';
const int = (name: string, fallback: number): number => {
  const value = env[name];
  const parsed = value === undefined || value === '' ? fallback : Number(value);
  if (!Number.isInteger(parsed) || parsed < 1)
    throw new Error(`${name} must be a positive integer, got ${value}`);
  return parsed;
};
const databaseUrl = env['DATABASE_URL'];
const redisUrl = env['REDIS_URL'];
if (!databaseUrl || !redisUrl)
  throw new Error('DATABASE_URL and REDIS_URL are required (use `npm run bench`)');

const employees = int('BENCH_EMPLOYEES', isQuick ? 2_000 : 100_000);
const rssRecords = int('BENCH_RSS_RECORDS', isQuick ? 5_000 : 1_000_000);
const naiveRecords = Math.min(employees, isQuick ? 500 : 10_000);
const latencySamples = int('BENCH_LATENCY_SAMPLES', isQuick ? 5 : 50);
const ingressSeconds = int('BENCH_INGRESS_SECONDS', isQuick ? 2 : 5); // per load phase; 3 rounds of bare + full
const ingressRounds = isQuick ? 1 : 3;
const budgetWindowS = int('BENCH_BUDGET_SECONDS', isQuick ? 8 : 30); // the budgeted window; the baseline's is 1/3
const resumeRecords = int('BENCH_RESUME_RECORDS', isQuick ? 20_000 : 100_000);
const opsIntegrations = int('BENCH_OPS_INTEGRATIONS', isQuick ? 1_000 : 10_000);
const deployRecords = int('BENCH_DEPLOY_RECORDS', isQuick ? 20_000 : 100_000);
const sections = new Set(
  (
    env['BENCH_ONLY'] ??
    'schedules,sync,rss,latency,outbound,lanes,slices,onboarding,ingress,budget,resume,deploy,ops'
  )
    .split(',')
    .map((s) => s.trim()),
);

const rows: BenchRow[] = [];
const failures: string[] = [];
const k = (n: number): string =>
  n >= 1e6 ? `${+(n / 1e6).toFixed(1)}M` : n >= 1000 ? `${Math.round(n / 1000)}k` : String(n);

function row(r: BenchRow): void {
  rows.push(r);
}
function compared(
  name: string,
  value: number,
  unit: string,
  baseline: { name: string; value: number },
  target: string,
  isMet: (ratio: number) => boolean,
): void {
  const ratio = value / baseline.value;
  row({ name, value, unit, baseline, ratio, target, isMet: isMet(ratio) });
}

/** A figure compared with a baseline, for context (no target). */
function context(name: string, value: number, unit: string, baseline: { name: string; value: number }): void {
  row({ name, value, unit, baseline, ratio: value / baseline.value });
}

async function section(name: string, fn: () => Promise<void>): Promise<void> {
  if (!sections.has(name)) return;
  print(`\n== ${name} ==`);
  try {
    await fn();
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    failures.push(`${name}: ${message}`);
    print(`!! ${name} failed: ${message}`);
  }
}

const facts = machineFacts();
print(
  `kombo-sync benchmarks ${facts.date}: ${facts.cores} cores (${facts.cpu}), ${facts.memoryGiB} GiB, Node ${facts.node}` +
    `${isQuick ? ' [BENCH_QUICK]' : ''}; employees ${employees}, RSS records ${rssRecords}; ` +
    `in-process sync benchmarks under the worker's ${WORKER_NODE_FLAGS.join(' ')}`,
);
const sandbox = await startSandbox();
const bench = await createBenchDatabase(databaseUrl);
// Interrupted: drop the bench database (bounded), then exit; the children spawned so far are killed on exit.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    print(`\n${signal}: stopping the benchmarks`);
    const bound = new Promise((resolve) => setTimeout(resolve, 5_000).unref());
    void Promise.race([bench.drop(), bound])
      .catch(() => undefined)
      .finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  });
}
try {
  // The 1M-row sync of the rss section runs last: Postgres's background work after it (checkpoints, autovacuum)
  // would otherwise share the cores with the measurements that follow; the ingress, needing no database, first.
  await section('ingress', async () => {
    const r = await benchIngress({
      redisUrl,
      durationS: ingressSeconds,
      rounds: ingressRounds,
      withTracing: env['BENCH_INGRESS_TRACING'] === '1',
    });
    for (const [i, round] of r.rounds.entries()) {
      print(
        `ingress round ${i + 1}: bare ${round.bare.rps} req/s (p99 ${round.bare.p99} ms), ` +
          `full ${round.full.rps} req/s (p99 ${round.full.p99} ms)`,
      );
    }
    print(
      `ingress (medians): bare ${r.bare.rps} req/s (p50 ${r.bare.p50} ms, p99 ${r.bare.p99} ms); full ${r.full.rps} ` +
        `req/s (p50 ${r.full.p50} ms, p99 ${r.full.p99} ms); ratio ${r.ratio}; peak RSS full ${r.peakRssMiB.full} MiB`,
    );
    compared(
      'ingress webhook throughput',
      r.full.rps,
      'req/s',
      { name: 'bare Express', value: r.bare.rps },
      '≥ 0.6×',
      (x) => x >= 0.6,
    );
    row({
      name: 'ingress webhook latency p99',
      value: r.full.p99,
      unit: 'ms',
      baseline: { name: 'bare Express', value: r.bare.p99 },
      ratio: r.full.p99 / r.bare.p99,
      target: '< 20 ms',
      isMet: r.full.p99 < 20,
    });
    if (r.traced) {
      print(
        `ingress traced (OTLP to an in-process collector): ${r.traced.figures.rps} req/s (p99 ` +
          `${r.traced.figures.p99} ms); ${r.traced.exportRequests} export requests`,
      );
      context('ingress webhook throughput, tracing on', r.traced.figures.rps, 'req/s', {
        name: 'tracing off',
        value: r.full.rps,
      });
    }
  });

  // Redis only, a few seconds; the same 1,000 integrations under BENCH_QUICK (the figure is about that size).
  await section('schedules', async () => {
    const r = await benchSchedules({ redisUrl, integrations: int('BENCH_SCHEDULE_INTEGRATIONS', 1_000) });
    const pct = (share: number) => +(share * 100).toFixed(2);
    print(
      `schedules, ${r.integrations} integrations registered at once, due in the busiest minute: 6 h safety net ` +
        `${pct(r.phased.safetyNet)}% (naive ${pct(r.naive.safetyNet)}%), weekly full ${pct(r.phased.full)}% ` +
        `(naive ${pct(r.naive.full)}%)`,
    );
    for (const [label, kind] of [
      ['6 h safety net', 'safetyNet'],
      ['weekly full', 'full'],
    ] as const) {
      compared(
        `fleet: schedules due in the busiest minute (${k(r.integrations)} integrations, ${label})`,
        pct(r.phased[kind]),
        '%',
        { name: 'start one interval after registration', value: pct(r.naive[kind]) },
        '≤ 2 %',
        () => r.phased[kind] <= 0.02,
      );
    }
  });

  await section('sync', async () => {
    const r = await benchSync({
      sandbox,
      database: bench.database,
      employees,
      naiveRecords,
      rounds: isQuick ? 1 : 3,
    });
    row({
      name: `fetch-only (client pages(), page_size 250, ${k(employees)} employees)`,
      value: r.fetch.rate,
      unit: 'records/s',
    });
    row({ name: 'fetch-only pages', value: r.fetch.pagesPerSecond, unit: 'pages/s' });
    const ceiling =
      r.fetch.rate <= r.copy.rate
        ? { name: 'fetch-only', value: r.fetch.rate }
        : { name: 'COPY', value: r.copy.rate };
    compared(
      `full sync, ${k(employees)} employees`,
      r.fullSync.rate,
      'records/s',
      ceiling,
      '≥ 0.8× min(fetch-only, COPY)',
      (x) => x >= 0.8,
    );
    context('full sync vs fetch-only', r.fullSync.rate, 'records/s', {
      name: 'fetch-only',
      value: r.fetch.rate,
    });
    context('full sync vs COPY into an empty copy of the table', r.fullSync.rate, 'records/s', {
      name: 'COPY',
      value: r.copy.rate,
    });
    context(
      `full sync vs naive per-record upsert (${k(r.naive.records)} subset, extrapolated)`,
      r.fullSync.rate,
      'records/s',
      { name: 'naive', value: r.naive.rate },
    );
    compared(
      're-sync of unchanged data (guarded no-op)',
      r.resyncGuarded.rate,
      'records/s',
      { name: 'unguarded upsert', value: r.resyncUnguarded.rate },
      '≥ 1.5×',
      (x) => x >= 1.5,
    );
    context(
      're-sync, store write time only (guarded vs unguarded)',
      r.resyncGuarded.records / r.resyncGuarded.writeSeconds,
      'records/s',
      { name: 'unguarded', value: r.resyncUnguarded.records / r.resyncUnguarded.writeSeconds },
    );
    // Load-independent view of the same comparison: rows per CPU-second spent by our Postgres backends.
    context(
      're-sync, records per Postgres CPU-second (guarded vs unguarded)',
      r.resyncGuarded.records / r.resyncGuarded.cpu.postgres,
      'records/CPU-s',
      { name: 'unguarded', value: r.resyncUnguarded.records / r.resyncUnguarded.cpu.postgres },
    );
    const maxRequests = 1 + Math.ceil(r.delta.changes / 250);
    row({
      name: `delta sync, ${r.delta.changes} changes: requests`,
      value: r.delta.requests,
      unit: 'requests',
      target: `≤ ${maxRequests}`,
      isMet: r.delta.requests <= maxRequests,
    });
    compared(
      `delta sync, ${r.delta.changes} changes: time`,
      r.delta.seconds * 1000,
      'ms',
      { name: 'full sync ms', value: r.fullSync.seconds * 1000 },
      '≤ 0.01× full sync',
      (x) => x <= 0.01,
    );
  });

  await section('latency', async () => {
    const r = await benchWebhookLatency({
      sandbox,
      database: bench.database,
      databaseUrl: bench.url,
      redisUrl,
      samples: latencySamples,
    });
    row({
      name: `webhook-to-row latency p50 (${r.samples} mutations, sandbox debounce ${r.debounceMs} ms)`,
      value: r.p50Ms,
      unit: 'ms',
    });
    row({ name: 'webhook-to-row latency p99', value: r.p99Ms, unit: 'ms' });
  });

  // Outbound webhooks: the delivered change webhook against the same mutations' webhook-to-row time (idle fleet),
  // and deliveries per second to one endpoint against bare signed POSTs at the same concurrency.
  await section('outbound', async () => {
    const receiver = await startBenchReceiver();
    try {
      const r = await benchWebhookLatency({
        sandbox,
        database: bench.database,
        databaseUrl: bench.url,
        redisUrl,
        samples: latencySamples,
        receiver,
      });
      const delivered = r.deliveredP99Ms ?? NaN;
      compared(
        'outbound: Kombo webhook to delivered customer webhook p99',
        delivered,
        'ms',
        { name: 'webhook-to-row p99 ms', value: r.p99Ms },
        '≤ row p99 + 250 ms',
        () => delivered <= r.p99Ms + 250,
      );
    } finally {
      await receiver.close();
      await bench.database.pool.query('DELETE FROM webhook_endpoints');
    }
    const t = await benchDeliveryThroughput({
      database: bench.database,
      messages: isQuick ? 300 : 3_000,
      groups: 50,
    });
    compared(
      'outbound: deliveries per second to one endpoint',
      t.perSecond,
      'deliveries/s',
      { name: 'bare signed POSTs/s', value: t.barePostsPerSecond },
      '≥ 0.4× bare POSTs',
      (ratio) => ratio >= 0.4,
    );
  });

  // A small integration's changes while large initial syncs hold the fleet (as many as its worker has slots: 4 delta
  // + 2 bulk), Kombo answering in 50 ms: measured against the same fleet with no bulk work, in the same run.
  await section('lanes', async () => {
    const common = {
      sandbox,
      database: bench.database,
      databaseUrl: bench.url,
      redisUrl,
      samples: latencySamples,
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
  });

  // A new small integration while large initial syncs hold the bulk lane, with time slices and the onboarding lane
  // against the same scenario with slicing off and new integrations waiting in the bulk lane (as before them).
  await section('slices', async () => {
    const common = {
      sandbox,
      database: bench.database,
      databaseUrl: bench.url,
      redisUrl,
      bigIntegrations: 4,
      bigEmployees: isQuick ? 4_000 : 40_000,
      apiLatencyMs: 50,
    };
    const sliced = await benchBulkSlices({
      ...common,
      mode: 'sliced',
      trials: int('BENCH_SLICES_TRIALS', isQuick ? 3 : 7),
    });
    const unsliced = await benchBulkSlices({
      ...common,
      mode: 'unsliced',
      trials: int('BENCH_SLICES_BASELINE_TRIALS', isQuick ? 1 : 2),
    });
    const p99 = percentile(sliced.firstRowMs, 99) / 1000;
    compared(
      `fleet: new small integration's first rows while initial syncs hold the bulk lane (p99 of ${sliced.firstRowMs.length} trials, s)`,
      p99,
      's',
      {
        name: `slicing off, p99 of ${unsliced.firstRowMs.length}`,
        value: percentile(unsliced.firstRowMs, 99) / 1000,
      },
      '≤ 5 s',
      () => p99 <= 5,
    );
    compared(
      'fleet: bulk throughput with time slices vs without',
      sliced.bulkRecordsPerSecond,
      'records/s',
      { name: 'without', value: unsliced.bulkRecordsPerSecond },
      '≥ 0.9×',
      (x) => x >= 0.9,
    );
    const spread = (seconds: readonly number[]) => Math.max(...seconds) / Math.min(...seconds);
    compared(
      'fleet: four equal initial syncs sharing the bulk lane, slowest vs fastest',
      spread(sliced.bigSeconds),
      '×',
      { name: 'without slices', value: spread(unsliced.bigSeconds) },
      '≤ 1.3×',
      () => spread(sliced.bigSeconds) <= 1.3,
    );
    if (sliced.trialsAfterBulkDrained > 0)
      print(`slices: ${sliced.trialsAfterBulkDrained} trial(s) ran after the bulk lane drained`);
    if (env['BENCH_SLICES_VARIANTS'] !== '1') return;
    for (const variant of [
      { label: 'ten new small integrations at once', perTrial: 10, trials: 2 },
      {
        label: 'ten new 40k integrations at once',
        perTrial: 10,
        trials: 1,
        smallEmployees: common.bigEmployees,
      },
      {
        label: 'one new small integration with two full resyncs of existing ones',
        perTrial: 1,
        trials: 3,
        resyncs: 2,
      },
    ]) {
      const r = await benchBulkSlices({ ...common, mode: 'sliced', ...variant });
      row({
        name: `fleet: ${variant.label} while initial syncs hold the bulk lane: first rows p99 (max)`,
        value: percentile(r.firstRowMs, 99) / 1000,
        unit: 's',
      });
    }
  });

  // Onboarding through the real fleet (webhook → ingress → worker), a batch and one ten times larger; then the
  // Redis memory per idle integration.
  await section('onboarding', async () => {
    const small = isQuick ? 20 : 100;
    const r = await benchOnboarding({
      sandbox,
      database: bench.database,
      databaseUrl: bench.url,
      redisUrl,
      batches: [small, small * 10],
    });
    const [first, second] = r.batches;
    if (!first || !second) throw new Error('onboarding produced no batches');
    compared(
      `fleet: onboarding ${second.integrations.toLocaleString('en-US')} integrations: time per integration`,
      second.msPerIntegration,
      'ms',
      { name: `per integration at ${first.integrations}`, value: first.msPerIntegration },
      '≤ 1.2×',
      (ratio) => ratio <= 1.2,
    );
    context(
      `fleet: onboarding rate at ${second.integrations.toLocaleString('en-US')} integrations`,
      second.integrations / second.seconds,
      'integrations/s',
      { name: `at ${first.integrations}`, value: first.integrations / first.seconds },
    );
    row({
      name: `fleet: Redis bytes per idle integration (${(first.integrations + second.integrations).toLocaleString('en-US')} integrations)`,
      value: r.bytesPerIdleIntegration,
      unit: 'bytes',
      baseline: { name: 'fleet with none, bytes', value: r.emptyFleetBytes },
      target: '≤ 5 KB',
      isMet: r.bytesPerIdleIntegration <= 5_000,
    });
  });

  await section('budget', async () => {
    const budgetPerSecond = 20;
    const r = await benchRequestBudget({
      sandbox,
      databaseUrl: bench.url,
      redisUrl,
      workers: 3,
      budgetPerSecond,
      windowS: budgetWindowS,
      baselineWindowS: Math.max(3, Math.round(budgetWindowS / 3)),
      warmupS: 5,
    });
    const ratio = r.budgeted.perSecond / budgetPerSecond;
    row({
      name: `fleet: request rate vs budget (${r.workers} workers, ${budgetPerSecond} req/s, ${Math.round(r.budgeted.seconds)} s at the sandbox)`,
      value: r.budgeted.perSecond,
      unit: 'req/s',
      baseline: { name: 'budget', value: budgetPerSecond },
      ratio,
      target: '0.95–1.05× (±5 %, ≥ 90 % used)',
      isMet: ratio >= 0.95 && ratio <= 1.05,
    });
    compared(
      `fleet: request rate without a budget (same ${r.workers} workers and work)`,
      r.unbounded.perSecond,
      'req/s',
      { name: 'budget', value: budgetPerSecond },
      '≥ 1.5× (the budget binds)',
      (x) => x >= 1.5,
    );
  });

  // A worker process SIGKILLed at ~90 % of a full sync; the recovered job resumes at the checkpoint. Baseline: the
  // same kill with the checkpoint removed (the pass restarts from page 1, as before checkpoints).
  await section('resume', async () => {
    const r = await benchResume({
      sandbox,
      database: bench.database,
      databaseUrl: bench.url,
      redisUrl,
      records: resumeRecords,
    });
    const pct = (v: { refetched: number; passPages: number }) =>
      +((v.refetched / v.passPages) * 100).toFixed(1);
    row({
      name: `resume: pages fetched again after a SIGKILL at 90 % of a ${k(r.records)}-record full sync`,
      value: pct(r.resumed),
      unit: '% of the pass',
      baseline: { name: 'restart from page 1, % of the pass', value: pct(r.restarted) },
      ratio: r.resumed.refetched / Math.max(1, r.restarted.refetched),
      target: '≤ 15 %',
      isMet: pct(r.resumed) <= 15,
    });
  });

  await section('ops', async () => {
    const views = await benchStatusViews({
      databaseUrl,
      redisUrl,
      integrations: opsIntegrations,
      runsPerIntegration: 90,
    });
    const kb = (bytes: number) => bytes / 1024;
    print(
      `ops: status page ${views.page.ms.toFixed(0)} ms, ${kb(views.page.bytes).toFixed(0)} KB; /api/integrations ` +
        `${views.api.ms.toFixed(0)} ms, ${kb(views.api.bytes).toFixed(0)} KB; ?filter=lagging ` +
        `${views.filtered.ms.toFixed(0)} ms; main's loader ${views.baseline.ms.toFixed(0)} ms, ` +
        `${kb(views.baseline.bytes).toFixed(0)} KB`,
    );
    const fleet = `${k(views.integrations)} integrations (90 runs each)`;
    const loader = "main's loader (every model, DISTINCT ON runs)";
    for (const [label, figures] of [
      ['status page', views.page],
      ['/api/integrations', views.api],
    ] as const) {
      compared(
        `ops: ${label} at ${fleet}`,
        figures.ms,
        'ms',
        { name: loader, value: views.baseline.ms },
        '≤ 300 ms',
        () => figures.ms <= 300,
      );
      compared(
        `ops: ${label} size at ${fleet}`,
        kb(figures.bytes),
        'KB',
        { name: loader, value: kb(views.baseline.bytes) },
        '≤ 300 KB',
        () => figures.bytes <= 300 * 1024,
      );
    }
    context(`ops: status page filtered (lagging) at ${fleet}`, views.filtered.ms, 'ms', {
      name: 'unfiltered',
      value: views.page.ms,
    });
    const books = await benchBookkeeping({ databaseUrl, integrations: isQuick ? 200 : 1_000, runsPerDay: 3 });
    compared(
      'ops: Postgres bookkeeping bytes per integration, 90 days of history',
      books.retained.day90,
      'B',
      { name: '30 days', value: books.retained.day30 },
      'flat (≤ 1.2×)',
      (ratio) => ratio <= 1.2,
    );
    context('ops: bookkeeping bytes per integration, 90 days without retention', books.unbounded.day90, 'B', {
      name: '30 days',
      value: books.unbounded.day30,
    });
  });

  // A rolling deploy: the worker holding a full sync gets SIGTERM at half the pass and a peer continues it.
  // Baseline: the same worker SIGKILLed, recovered as a stalled job (production lock, stall check and lease).
  await section('deploy', async () => {
    const r = await benchDeploy({
      sandbox,
      database: bench.database,
      databaseUrl: bench.url,
      redisUrl,
      records: deployRecords,
    });
    row({
      name: `deploy: pages fetched again when the worker holding a ${k(r.records)}-record pass is replaced (SIGTERM)`,
      value: r.sigterm.pagesAgain,
      unit: 'pages',
      baseline: { name: 'SIGKILL and stalled-job recovery', value: r.sigkill.pagesAgain },
      ratio: r.sigterm.pagesAgain / Math.max(1, r.sigkill.pagesAgain),
      target: '≤ 1 page',
      isMet: r.sigterm.pagesAgain <= 1,
    });
    row({
      name: 'deploy: seconds from SIGTERM to the pass continuing on a peer',
      value: r.sigterm.continuedAfterS,
      unit: 's',
      baseline: { name: 'SIGKILL and stalled-job recovery', value: r.sigkill.continuedAfterS },
      ratio: r.sigterm.continuedAfterS / r.sigkill.continuedAfterS,
      target: '≤ 5 s',
      isMet: r.sigterm.continuedAfterS <= 5,
    });
  });

  await section('rss', async () => {
    const r = await benchWorkerRss({
      sandbox,
      database: bench.database,
      databaseUrl: bench.url,
      redisUrl,
      records: rssRecords,
    });
    const peakMB = (r.peakMiB * 2 ** 20) / 1e6;
    row({
      name: `worker peak RSS, ${k(rssRecords)}-record full sync (${Math.round(r.records / r.seconds)} records/s, run ${r.status})`,
      value: peakMB,
      unit: 'MB',
      target: '< 300 MB',
      isMet: peakMB < 300 && r.status === 'succeeded',
    });
  });
} finally {
  await bench.drop().catch((err: unknown) => print(`could not drop the bench database: ${String(err)}`));
  await sandbox.stop();
}

// Only a complete default-size run replaces the committed results; others go to the temp directory.
const isComplete =
  !isQuick && env['BENCH_ONLY'] === undefined && employees === 100_000 && rssRecords === 1_000_000;
const resultsDir = isComplete ? undefined : path.join(os.tmpdir(), 'kombo-sync-bench');
const markdown = writeResults(rows, resultsDir);
print(`results written to ${resultsDir ?? 'bench/results'}/latest.{json,md}`);
print(`\n${markdown}`);
if (failures.length > 0) print(`failed sections:\n  ${failures.join('\n  ')}`);
if (env['BENCH_UPDATE_README'] === '1') {
  const readme = path.join(ROOT, 'README.md');
  const text = readFileSync(readme, 'utf8');
  const start = '<!-- bench:start -->';
  const end = '<!-- bench:end -->';
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error('README.md lacks the bench markers');
  writeFileSync(readme, `${text.slice(0, from + start.length)}\n${toMarkdown(rows, facts)}${text.slice(to)}`);
  print('README.md Benchmarks section updated');
}
process.exit(failures.length > 0 ? 1 : 0);
