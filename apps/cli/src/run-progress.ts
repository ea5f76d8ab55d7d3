import type { SyncRunRow } from '@kombo-sync/db';
import cliProgress from 'cli-progress';
import type { Output } from './output.js';

/** Shows a run's progress: a bar of finished models on a TTY, one plain line per finished model otherwise. */
export interface RunProgress {
  update(run: SyncRunRow | undefined): void;
  stop(): void;
}

export function createRunProgress(out: Output, integrationId: string, expectedModels: number): RunProgress {
  const reported = new Set<string>();
  let runId: number | undefined;
  const bar =
    out.isTTY && out.stream
      ? new cliProgress.SingleBar(
          {
            format: `${integrationId} [{bar}] {value}/{total} models | {last}`,
            stream: out.stream,
            hideCursor: true,
          },
          cliProgress.Presets.shades_classic,
        )
      : undefined;
  bar?.start(expectedModels, 0, { last: 'waiting for a worker' });
  return {
    update(run) {
      if (!run) return;
      if (run.id !== runId) {
        runId = run.id;
        if (!bar) out.out(`run ${run.id} started (${run.kind}, trigger ${run.trigger})`);
      }
      for (const [model, counts] of Object.entries(run.counts)) {
        if (!counts || reported.has(model)) continue;
        reported.add(model);
        const line =
          `${model}: ${counts.status}, ${counts.pages} pages, ${counts.upserted} upserted, ` +
          `${counts.deleted} deleted${counts.error ? ` (${counts.error})` : ''}`;
        if (bar) {
          bar.setTotal(Math.max(expectedModels, reported.size));
          bar.update(reported.size, { last: line });
        } else {
          out.out(`  ${line}`);
        }
      }
    },
    stop() {
      bar?.stop();
    },
  };
}
