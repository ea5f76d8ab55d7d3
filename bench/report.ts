import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

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
