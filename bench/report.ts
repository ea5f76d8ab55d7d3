import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestDatabase } from '@kombo-sync/db/testing';
import type { WorkerBenchOptions } from './fleet.js';
import type { SandboxProcess } from './services.js';

/** One row of the benchmark table: a figure, its baseline, the ratio and the target it is held to. */
export interface BenchRow {
  name: string;
  value: number;
  unit: string;
  baseline?: { name: string; value: number };
  ratio?: number;
  target?: string;
  isMet?: boolean;
}

/** The `p`th percentile of `values` (nearest rank); NaN for none. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}

export function machineFacts() {
  const cpus = os.cpus();
  return {
    date: new Date().toISOString().slice(0, 10),
    node: process.version,
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    platform: `${os.platform()} ${os.release()}`,
  };
}

const fmt = (n: number) => (Math.abs(n) >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(2));

export function toMarkdown(rows: readonly BenchRow[], facts = machineFacts()): string {
  const lines = [
    `Measured ${facts.date} on ${facts.cores} cores (${facts.cpu}), ${facts.memoryGiB} GiB, Node ${facts.node}.`,
    '',
    '| benchmark | figure | baseline | ratio | target | met |',
    '|---|---|---|---|---|---|',
    ...rows
      .map((r) =>
        [
          r.name,
          `${fmt(r.value)} ${r.unit}`,
          r.baseline ? `${r.baseline.name}: ${fmt(r.baseline.value)}` : '',
          r.ratio === undefined ? '' : `${r.ratio < 0.1 ? r.ratio.toPrecision(2) : r.ratio.toFixed(2)}×`,
          r.target ?? '',
          r.isMet === undefined ? '' : r.isMet ? 'yes' : 'no',
        ].join(' | '),
      )
      .map((line) => `| ${line} |`),
  ];
  return lines.join('\n') + '\n';
}

/** Writes bench/results/latest.json and latest.md. */
export function writeResults(
  rows: readonly BenchRow[],
  dir = path.join(import.meta.dirname, 'results'),
): string {
  mkdirSync(dir, { recursive: true });
  const facts = machineFacts();
  writeFileSync(path.join(dir, 'latest.json'), JSON.stringify({ machine: facts, rows }, null, 2) + '\n');
  const markdown = toMarkdown(rows, facts);
  writeFileSync(path.join(dir, 'latest.md'), markdown);
  return markdown;
}

/** Collects the rows of a run: a figure alone, against a baseline with a target, or against a baseline for context. */
export interface BenchReporter {
  /** Every row reported so far, in order. */
  readonly rows: readonly BenchRow[];
  row(r: BenchRow): void;
  /** A figure against a baseline, held to `target`: `isMet` gets the ratio figure / baseline. */
  compared(
    name: string,
    value: number,
    unit: string,
    baseline: { name: string; value: number },
    target: string,
    isMet: (ratio: number) => boolean,
  ): void;
  /** A figure compared with a baseline, for context (no target). */
  context(name: string, value: number, unit: string, baseline: { name: string; value: number }): void;
}

export function createReporter(): BenchReporter {
  const rows: BenchRow[] = [];
  const row = (r: BenchRow): void => {
    rows.push(r);
  };
  return {
    rows,
    row,
    compared(name, value, unit, baseline, target, isMet) {
      const ratio = value / baseline.value;
      row({ name, value, unit, baseline, ratio, target, isMet: isMet(ratio) });
    },
    context(name, value, unit, baseline) {
      row({ name, value, unit, baseline, ratio: value / baseline.value });
    },
  };
}

/** A count as a short label: 2000 → 2k, 1500000 → 1.5M. */
export const k = (n: number): string =>
  n >= 1e6 ? `${+(n / 1e6).toFixed(1)}M` : n >= 1000 ? `${Math.round(n / 1000)}k` : String(n);

/** The sizes of a run, read once at start-up from the BENCH_* variables (a bad value stops the run before any). */
export interface BenchSizes {
  employees: number;
  rssRecords: number;
  naiveRecords: number;
  latencySamples: number;
  /** Per load phase of the ingress section. */
  ingressSeconds: number;
  ingressRounds: number;
  /** The budgeted window; the baseline's is a third of it. */
  budgetWindowS: number;
  resumeRecords: number;
  opsIntegrations: number;
  deployRecords: number;
}

/** What every section of `npm run bench` gets: the services, the run's sizes and settings, and the reporter. */
export interface SectionContext extends BenchReporter {
  sandbox: SandboxProcess;
  /** The run's throwaway migrated database. */
  bench: TestDatabase;
  /** The sandbox, the bench database (as a pool and as a URL) and Redis, as the fleet benchmarks take them. */
  fleet: FleetServices;
  /** The Postgres server's URL, for sections that create databases of their own. */
  databaseUrl: string;
  redisUrl: string;
  isQuick: boolean;
  sizes: BenchSizes;
  /** Reads a positive integer variable, `fallback` when unset or empty; throws naming it otherwise. */
  int(name: string, fallback: number): number;
  /** Whether the variable is `1`. */
  isSet(name: string): boolean;
}

/** What every benchmark of the real fleet processes needs. */
export type FleetServices = Omit<WorkerBenchOptions, 'records'>;

/** One section's body: measures, prints and reports its rows. */
export type Section = (ctx: SectionContext) => Promise<void>;
