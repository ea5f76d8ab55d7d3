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
import { budgetSection } from './budget.bench.js';
import { deploySection } from './deploy.bench.js';
import { ingressSection } from './ingress.section.js';
import { lanesSection, latencySection } from './latency.bench.js';
import { onboardingSection } from './onboarding.bench.js';
import { opsSection } from './ops.section.js';
import { outboundSection } from './outbound.bench.js';
import {
  createReporter,
  machineFacts,
  toMarkdown,
  writeResults,
  type BenchSizes,
  type Section,
  type SectionContext,
} from './report.js';
import { resumeSection } from './resume.bench.js';
import { rssSection } from './rss.bench.js';
import { schedulesSection } from './schedules.bench.js';
import { createBenchDatabase, print, ROOT, startSandbox } from './services.js';
import { slicesSection } from './slices.section.js';
import { syncSection } from './sync.section.js';

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
const sizes: BenchSizes = {
  employees,
  rssRecords: int('BENCH_RSS_RECORDS', isQuick ? 5_000 : 1_000_000),
  naiveRecords: Math.min(employees, isQuick ? 500 : 10_000),
  latencySamples: int('BENCH_LATENCY_SAMPLES', isQuick ? 5 : 50),
  ingressSeconds: int('BENCH_INGRESS_SECONDS', isQuick ? 2 : 5), // per load phase; 3 rounds of bare + full
  ingressRounds: isQuick ? 1 : 3,
  budgetWindowS: int('BENCH_BUDGET_SECONDS', isQuick ? 8 : 30), // the budgeted window; the baseline's is 1/3
  resumeRecords: int('BENCH_RESUME_RECORDS', isQuick ? 20_000 : 100_000),
  opsIntegrations: int('BENCH_OPS_INTEGRATIONS', isQuick ? 1_000 : 10_000),
  deployRecords: int('BENCH_DEPLOY_RECORDS', isQuick ? 20_000 : 100_000),
};
const sections = new Set(
  (
    env['BENCH_ONLY'] ??
    'schedules,sync,rss,latency,outbound,lanes,slices,onboarding,ingress,budget,resume,deploy,ops'
  )
    .split(',')
    .map((s) => s.trim()),
);

// The order the sections run in. The 1M-row sync of the rss section runs last: Postgres's background work after it
// (checkpoints, autovacuum) would otherwise share the cores with the measurements that follow; the ingress, needing
// no database, first.
const ORDER: readonly (readonly [string, Section])[] = [
  ['ingress', ingressSection],
  ['schedules', schedulesSection],
  ['sync', syncSection],
  ['latency', latencySection],
  ['outbound', outboundSection],
  ['lanes', lanesSection],
  ['slices', slicesSection],
  ['onboarding', onboardingSection],
  ['budget', budgetSection],
  ['resume', resumeSection],
  ['ops', opsSection],
  ['deploy', deploySection],
  ['rss', rssSection],
];

const reporter = createReporter();
const failures: string[] = [];

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
    `${isQuick ? ' [BENCH_QUICK]' : ''}; employees ${employees}, RSS records ${sizes.rssRecords}; ` +
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
const ctx: SectionContext = {
  ...reporter,
  sandbox,
  bench,
  fleet: { sandbox, database: bench.database, databaseUrl: bench.url, redisUrl },
  databaseUrl,
  redisUrl,
  isQuick,
  sizes,
  int,
  isSet: (name) => env[name] === '1',
};
try {
  for (const [name, run] of ORDER) await section(name, () => run(ctx));
} finally {
  await bench.drop().catch((err: unknown) => print(`could not drop the bench database: ${String(err)}`));
  await sandbox.stop();
}

// Only a complete default-size run replaces the committed results; others go to the temp directory.
const isComplete =
  !isQuick && env['BENCH_ONLY'] === undefined && employees === 100_000 && sizes.rssRecords === 1_000_000;
const resultsDir = isComplete ? undefined : path.join(os.tmpdir(), 'kombo-sync-bench');
const markdown = writeResults(reporter.rows, resultsDir);
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
  writeFileSync(
    readme,
    `${text.slice(0, from + start.length)}\n${toMarkdown(reporter.rows, facts)}${text.slice(to)}`,
  );
  print('README.md Benchmarks section updated');
}
process.exit(failures.length > 0 ? 1 : 0);
