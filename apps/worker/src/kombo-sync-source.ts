import { withoutRemoteData, type KomboClient, type KomboPage } from '@kombo-sync/kombo';
import type { SyncSource } from '@kombo-sync/sync';

export interface KomboSyncSourceOptions {
  pageSize: number;
  /** Drop every `remote_data` member before the page is stored (SYNC_STORE_REMOTE_DATA=false). Default false. */
  shouldStripRemoteData?: boolean;
}

/** The engine's source over the Kombo client: every page of a model, deleted records included. */
export function createKomboSyncSource(
  kombo: KomboClient,
  { pageSize, shouldStripRemoteData = false }: KomboSyncSourceOptions,
): SyncSource {
  return {
    pages: (model, { integrationId, updatedAfter, ids, cursor, signal }) => {
      const pages = kombo.pages(model, {
        integrationId,
        includeDeleted: true,
        pageSize,
        ...(updatedAfter ? { updatedAfter } : {}),
        ...(ids ? { ids } : {}),
        ...(cursor ? { cursor } : {}),
        ...(signal ? { signal } : {}),
      });
      return shouldStripRemoteData ? stripPages(pages) : pages;
    },
  };
}

async function* stripPages(pages: AsyncIterable<KomboPage>): AsyncGenerator<KomboPage> {
  for await (const page of pages) {
    const results = page.results.map(withoutRemoteData);
    // The received texts hold remote_data (also where the parsed record may not): without them the store
    // serialises the stripped records instead.
    const isChanged =
      results.some((record, index) => record !== page.results[index]) ||
      (page.rawResults?.some((text) => text.includes('"remote_data"')) ?? false);
    const { rawResults: _rawResults, ...rest } = page;
    yield {
      ...(isChanged ? rest : page),
      results,
      ...(page.rejected ? { rejected: page.rejected.map(stripRejected) } : {}),
    };
  }
}

/** A quarantined record's text without remote_data (kept as received if it is not JSON after all). */
function stripRejected<T extends { text: string }>(rejected: T): T {
  try {
    return { ...rejected, text: JSON.stringify(withoutRemoteData(JSON.parse(rejected.text) as unknown)) };
  } catch {
    return rejected;
  }
}
