import type { DbLike } from './create-database.js';
import { listIntegrationStatus, type StatusPage, type StatusQuery } from './list-integration-status.js';
import { loadFleetSummary, type FleetSummary } from './load-fleet-summary.js';

/** What the status views show of the fleet: the summary, the queues' depth, and one page of integrations. */
export interface FleetStatus<Lanes> {
  summary: FleetSummary;
  /** The caller's lane depth, or why it is unknown (the mirror's status does not need the queues). */
  lanes: Lanes | { error: string } | null;
  page: StatusPage;
}

/**
 * The one status loader of the CLI (`kombo-sync status`) and the dashboard (the status page, `/api/integrations`):
 * the fleet summary and one page of integrations from Postgres, and the depth of the queues' lanes from
 * `loadLanes` (this package knows no queue: the caller passes packages/queue's `loadLaneDepth`), all at once. A
 * failing `loadLanes` (Redis down) only makes the lanes `{ error }`; null without it.
 */
export async function loadFleetStatus<Lanes>(
  db: DbLike,
  query: StatusQuery,
  loadLanes?: () => Promise<Lanes>,
): Promise<FleetStatus<Lanes>> {
  const lanes = loadLanes
    ? loadLanes().catch((err: unknown) => ({ error: err instanceof Error ? err.message : String(err) }))
    : null;
  const [summary, page] = await Promise.all([loadFleetSummary(db, query), listIntegrationStatus(db, query)]);
  return { summary, page, lanes: await lanes };
}
