import type { KomboClient } from '@kombo-sync/kombo';
import type { SyncSource } from '@kombo-sync/sync';

/** The engine's source over the Kombo client: every page of a model, deleted records included. */
export function createKomboSyncSource(kombo: KomboClient, { pageSize }: { pageSize: number }): SyncSource {
  return {
    pages: (model, { integrationId, updatedAfter, ids, cursor, signal }) =>
      kombo.pages(model, {
        integrationId,
        includeDeleted: true,
        pageSize,
        ...(updatedAfter ? { updatedAfter } : {}),
        ...(ids ? { ids } : {}),
        ...(cursor ? { cursor } : {}),
        ...(signal ? { signal } : {}),
      }),
  };
}
