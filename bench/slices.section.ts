import { percentile, type SectionContext } from './report.js';
import { print } from './services.js';
import { benchBulkSlices } from './slices.bench.js';

/**
 * The slices section: a new small integration while large initial syncs hold the bulk lane, with time slices and the
 * onboarding lane against the same scenario with slicing off and new integrations waiting in the bulk lane (as
 * before them).
 */
export async function slicesSection({
  fleet,
  isQuick,
  int,
  isSet,
  row,
  compared,
}: SectionContext): Promise<void> {
  const common = {
    ...fleet,
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
  if (!isSet('BENCH_SLICES_VARIANTS')) return;
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
}
