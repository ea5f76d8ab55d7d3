import { benchBookkeeping, benchStatusViews } from './ops.bench.js';
import { k, type SectionContext } from './report.js';
import { print } from './services.js';

/**
 * The ops section: the dashboard's status views at a large fleet against main's loader, and the bookkeeping bytes per
 * integration as history ages, with and without retention.
 */
export async function opsSection({
  databaseUrl,
  redisUrl,
  isQuick,
  sizes,
  compared,
  context,
}: SectionContext): Promise<void> {
  const views = await benchStatusViews({
    databaseUrl,
    redisUrl,
    integrations: sizes.opsIntegrations,
    runsPerIntegration: 90,
  });
  const kb = (bytes: number) => bytes / 1024;
  print(
    `ops: status page ${views.page.ms.toFixed(0)} ms, ${kb(views.page.bytes).toFixed(0)} KB; /api/integrations ` +
      `${views.api.ms.toFixed(0)} ms, ${kb(views.api.bytes).toFixed(0)} KB; ?filter=lagging ` +
      `${views.filtered.ms.toFixed(0)} ms; main's loader ${views.baseline.ms.toFixed(0)} ms, ` +
      `${kb(views.baseline.bytes).toFixed(0)} KB`,
  );
  const fleet = `${k(views.integrations)} integrations (90 runs each)`;
  const loader = "main's loader (every model, DISTINCT ON runs)";
  for (const [label, figures] of [
    ['status page', views.page],
    ['/api/integrations', views.api],
  ] as const) {
    compared(
      `ops: ${label} at ${fleet}`,
      figures.ms,
      'ms',
      { name: loader, value: views.baseline.ms },
      '≤ 300 ms',
      () => figures.ms <= 300,
    );
    compared(
      `ops: ${label} size at ${fleet}`,
      kb(figures.bytes),
      'KB',
      { name: loader, value: kb(views.baseline.bytes) },
      '≤ 300 KB',
      () => figures.bytes <= 300 * 1024,
    );
  }
  context(`ops: status page filtered (lagging) at ${fleet}`, views.filtered.ms, 'ms', {
    name: 'unfiltered',
    value: views.page.ms,
  });
  const books = await benchBookkeeping({ databaseUrl, integrations: isQuick ? 200 : 1_000, runsPerDay: 3 });
  compared(
    'ops: Postgres bookkeeping bytes per integration, 90 days of history',
    books.retained.day90,
    'B',
    { name: '30 days', value: books.retained.day30 },
    'flat (≤ 1.2×)',
    (ratio) => ratio <= 1.2,
  );
  context('ops: bookkeeping bytes per integration, 90 days without retention', books.unbounded.day90, 'B', {
    name: '30 days',
    value: books.unbounded.day30,
  });
}
