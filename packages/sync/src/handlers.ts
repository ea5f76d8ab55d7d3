import type { ModelName } from '@kombo-sync/catalog';
import type { KomboRecord } from './types.js';

/**
 * What a user handler receives for one committed-to-be page of one model. `tx` is the page's database transaction
 * (opaque here: the worker passes a Drizzle transaction over packages/db); whatever the handler writes with it
 * commits or rolls back together with the page. A throw rolls the page back and fails the model (it is retried).
 */
export interface SyncHandlerContext<Tx = unknown> {
  readonly tx: Tx;
  readonly integrationId: string;
  readonly model: ModelName;
  /** Records this page inserted or updated that are not deleted (the stored version). */
  readonly changed: readonly KomboRecord[];
  /** Records this page (or a full pass's reconciliation) newly marked deleted. */
  readonly deleted: readonly KomboRecord[];
  /** The sync_runs id. */
  readonly runId: number;
}

export type SyncHandler<Tx = unknown> = (ctx: SyncHandlerContext<Tx>) => Promise<void>;

/** A `SYNC_HANDLERS_MODULE` exports `handlers: SyncHandlers` (one optional handler per model). */
export type SyncHandlers<Tx = unknown> = Partial<Record<ModelName, SyncHandler<Tx>>>;
