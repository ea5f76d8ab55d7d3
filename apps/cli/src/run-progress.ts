import { estimateProgress, type SyncProgressRow, type SyncRunRow } from '@kombo-sync/db';
import cliProgress from 'cli-progress';
import { formatProgress } from './format-progress.js';
import type { Output } from './output.js';
import { terminalText } from './terminal-text.js';

/**
 * Shows a run's progress: a bar of finished models on a TTY (with the running passes' pages and records done vs.
 * expected and ETA), one plain line per finished model otherwise, plus a line per running pass each time it
 * passes another tenth of what it expects (every 10 pages when that is unknown).
 */
export interface RunProgress {
  update(run: SyncRunRow | undefined, passes?: ReadonlyMap<string, SyncProgressRow>): void;
  stop(): void;
}

/** The bar of finished models on a TTY; none otherwise (plain lines instead). */
function progressBar(out: Output): InstanceType<typeof cliProgress.SingleBar> | undefined {
  if (!out.isTTY || !out.stream) return undefined;
  return new cliProgress.SingleBar(
    {
      // Values go in as payload, never into the format string (a `{…}` in an id would be a placeholder).
      format: '{integration} [{bar}] {value}/{total} models | {last}',
      stream: out.stream,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
}

/** `<model>: <status>, <pages> pages, <upserted> upserted, <deleted> deleted (<error>)` of a finished model. */
function finishedModelLine(model: string, counts: NonNullable<SyncRunRow['counts'][string]>): string {
  return (
    `${model}: ${counts.status}, ${counts.pages} pages, ${counts.upserted} upserted, ` +
    `${counts.deleted} deleted${counts.error ? ` (${terminalText(counts.error, 200)})` : ''}`
  );
}

export function createRunProgress(
  out: Output,
  integrationId: string,
  expectedModels: number,
  now: () => Date = () => new Date(),
): RunProgress {
  const reported = new Set<string>();
  /** The last step (tenth, or tens of pages) printed per running model. */
  const steps = new Map<string, number>();
  let runId: number | undefined;
  const bar = progressBar(out);
  bar?.start(expectedModels, 0, {
    integration: terminalText(integrationId, 80),
    last: 'waiting for a worker',
  });
  return {
    update(run, passes) {
      if (!run) return;
      if (run.id !== runId) {
        runId = run.id;
        if (!bar) out.out(`run ${run.id} started (${run.kind}, trigger ${terminalText(run.trigger, 80)})`);
      }
      for (const [model, counts] of Object.entries(run.counts)) {
        // A model a slice stopped is not finished: a later run of the pass reports it.
        if (!counts || counts.status === 'yielded' || reported.has(model)) continue;
        reported.add(model);
        const line = finishedModelLine(model, counts);
        if (bar) {
          bar.setTotal(Math.max(expectedModels, reported.size));
          bar.update(reported.size, { last: line });
        } else {
          out.out(`  ${line}`);
        }
      }
      const running = [...(passes?.values() ?? [])]
        .filter((row) => row.runId === run.id && row.status === 'running' && !reported.has(row.model))
        .map((row) => ({ model: row.model, estimate: estimateProgress(row, now()) }));
      if (bar && running.length > 0) {
        bar.update(reported.size, {
          last: running.map((r) => `${r.model}: ${formatProgress(r.estimate)}`).join(' | '),
        });
      }
      if (bar) return;
      for (const { model, estimate } of running) {
        const step =
          estimate.fraction === null
            ? Math.floor(estimate.pagesDone / 10)
            : Math.floor(estimate.fraction * 10);
        if (step === (steps.get(model) ?? -1)) continue;
        steps.set(model, step);
        out.out(`  ${model}: ${formatProgress(estimate)}`);
      }
    },
    stop() {
      bar?.stop();
    },
  };
}
