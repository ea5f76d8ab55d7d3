// The shipped alert rules (deploy/prometheus/alerts.yml): valid, unit-tested by promtool (alerts.test.yml), every
// alert tested firing and documented in RUNBOOK.md, and every series they read exported by the fleet's processes.
import { describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { createMetrics } from '@kombo-sync/metrics';

const ROOT = path.resolve(import.meta.dirname, '..');
const RULES = path.join(ROOT, 'deploy/prometheus/alerts.yml');
const RULE_TESTS = path.join(ROOT, 'deploy/prometheus/alerts.test.yml');
const run = promisify(execFile);

const rules = readFileSync(RULES, 'utf8');
const alertNames = [...rules.matchAll(/^\s*- alert: (\w+)$/gm)].map((match) => match[1] ?? '');

/** promtool's output, also when it fails (its report is the useful part). */
async function promtool(...args: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run('promtool', args, { cwd: ROOT });
    return { code: 0, output: stdout + stderr };
  } catch (err) {
    const failed = err as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? 1, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

describe('deploy/prometheus/alerts.yml', () => {
  it('is valid for Prometheus (promtool check rules)', async () => {
    const { code, output } = await promtool('check', 'rules', RULES);
    expect(output).toContain(`SUCCESS: ${alertNames.length} rules found`);
    expect(code).toBe(0);
  });

  it('passes its unit tests (promtool test rules alerts.test.yml)', async () => {
    const { code, output } = await promtool('test', 'rules', RULE_TESTS);
    expect(output).toContain('SUCCESS');
    expect(code).toBe(0);
  });

  it('has, for every alert, a test in which it fires and a RUNBOOK.md section', () => {
    const tests = readFileSync(RULE_TESTS, 'utf8');
    const runbook = readFileSync(path.join(ROOT, 'RUNBOOK.md'), 'utf8');
    expect(alertNames.length).toBeGreaterThanOrEqual(13);
    for (const name of alertNames) {
      // A test case of the alert that expects it to fire (a non-empty exp_alerts list after its alertname).
      expect(tests).toMatch(new RegExp(`alertname: ${name}\\n\\s+exp_alerts:\\n\\s+- exp_labels`));
      expect(runbook).toMatch(new RegExp(`^### ${name}$`, 'm'));
    }
  });

  it('reads only series the worker and dashboard export', async () => {
    const exported = new Set<string>();
    for (const service of ['worker', 'dashboard'] as const) {
      for (const metric of await createMetrics({ service }).registry.getMetricsAsJSON()) {
        exported.add(metric.name);
        if (String(metric.type) === 'histogram')
          for (const suffix of ['_bucket', '_sum', '_count']) exported.add(metric.name + suffix);
      }
    }
    const read = new Set(rules.match(/\bkombo_sync_[a-z_]+/g));
    expect([...read].filter((name) => !exported.has(name))).toEqual([]);
  });
});
