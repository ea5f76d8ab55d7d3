import { k, type SectionContext } from './report.js';
import { benchSync } from './sync.bench.js';

/** The sync section: fetch-only, full sync against its ceilings, guarded re-sync, and a small delta. */
export async function syncSection({
  sandbox,
  bench,
  isQuick,
  sizes,
  row,
  compared,
  context,
}: SectionContext): Promise<void> {
  const { employees } = sizes;
  const r = await benchSync({
    sandbox,
    database: bench.database,
    employees,
    naiveRecords: sizes.naiveRecords,
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
}
