import type { Command } from 'commander';
import { runControls, type ControlsDeps } from './commands/integration-controls.js';

/**
 * Adds `pause`, `resume` and `configure` (an integration's model subset and schedule intervals) to the program.
 */
export function addControlCommands(
  program: Command,
  { deps, setExitCode }: { deps: () => Promise<ControlsDeps>; setExitCode(code: number): void },
): void {
  program
    .command('pause <integration>')
    .description('pause syncing one integration: webhooks and schedules are recorded and synced on resume')
    .option('--json', 'machine-readable output')
    .action(async (integrationId: string, opts: { json?: boolean }) => {
      setExitCode(await runControls(await deps(), { integrationId, isPaused: true, json: opts.json }));
    });

  program
    .command('resume <integration>')
    .description('resume a paused integration and sync everything recorded meanwhile')
    .option('--json', 'machine-readable output')
    .action(async (integrationId: string, opts: { json?: boolean }) => {
      setExitCode(await runControls(await deps(), { integrationId, isPaused: false, json: opts.json }));
    });

  program
    .command('configure <integration>')
    .description("show or set one integration's models and schedule intervals")
    .option('--models <names>', 'comma-separated models it syncs, or "all"')
    .option('--full-interval <duration>', 'full sync every (e.g. 7d, 12h), or "default"')
    .option('--safety-net-interval <duration>', 'safety-net delta every (e.g. 6h, 30m), or "default"')
    .option('--json', 'machine-readable output')
    .action(
      async (
        integrationId: string,
        opts: { models?: string; fullInterval?: string; safetyNetInterval?: string; json?: boolean },
      ) => {
        setExitCode(await runControls(await deps(), { integrationId, ...opts }));
      },
    );
}
