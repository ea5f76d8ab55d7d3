import type { Gauge } from 'prom-client';

/** One count of quarantined records (packages/db `countQuarantinedByReason` returns these). */
export interface QuarantineCountLike {
  readonly model: string;
  readonly reasonClass: string;
  readonly count: number;
}

/**
 * Sets `gauge{model, reason_class}` to the current quarantine counts from `load` (one query), after a reset so a
 * cleared quarantine drops to no series. Call it on scrape, like {@link collectQueueDepth}. This package knows no
 * Postgres: the caller passes the query.
 */
export async function collectQuarantinedRecords(
  load: () => Promise<readonly QuarantineCountLike[]>,
  gauge: Gauge<'model' | 'reason_class'>,
): Promise<void> {
  const counts = await load();
  gauge.reset();
  for (const { model, reasonClass, count } of counts) gauge.set({ model, reason_class: reasonClass }, count);
}
