import {
  runIntegrationSync,
  type RunIntegrationSyncDeps,
  type RunIntegrationSyncInput,
} from '../run-integration-sync.js';

/** The run settings the worker takes from its config (SYNC_OVERLAP_MS, …), fixed for the engine's unit tests. */
export const TEST_RUN_SETTINGS = {
  overlapMs: 5 * 60 * 1000,
  concurrency: 2,
  passCursorMaxAgeMs: 12 * 60 * 60 * 1000,
} as const;

type TestRunInput = Omit<RunIntegrationSyncInput, keyof typeof TEST_RUN_SETTINGS> &
  Partial<Pick<RunIntegrationSyncInput, keyof typeof TEST_RUN_SETTINGS>>;

/** `runIntegrationSync` with {@link TEST_RUN_SETTINGS} for what the test does not set. */
export function runTestSync(deps: RunIntegrationSyncDeps, input: TestRunInput) {
  return runIntegrationSync(deps, { ...TEST_RUN_SETTINGS, ...input });
}
