import type { ModelPass } from './model-pass.js';
import { resumedListing } from './resumable-pass.js';
import type { PassStart } from './start-pass.js';
import type { ClassifyError, SourcePage, SyncSource, SyncStore } from './types.js';

/** Most quarantined ids re-fetched by one `pages()` call (Kombo's `ids` filter is a query parameter). */
export const MAX_IDS_PER_REQUEST = 100;

/** A page of a pass, with its place in the model's listing. */
export interface PassPage {
  readonly page: SourcePage;
  /** 1-based number of the page in the pass's listing (what its checkpoint counts); absent for re-fetches by id and the catch-up. */
  readonly listingNumber?: number;
}

export interface PassPagesDeps {
  readonly source: SyncSource;
  readonly store: Pick<SyncStore, 'releaseQuarantined'>;
  readonly classifyError: ClassifyError;
}

/**
 * Every page of a model's pass, in fetch order: the quarantined records re-fetched by id (whatever their
 * changed_at), then the listing (from the checkpoint of a resumed pass), then, for a resumed pass, what changed since
 * the pass started. Each request is made when the consumer asks for the next page.
 */
export async function* passPages(
  deps: PassPagesDeps,
  pass: ModelPass,
  start: PassStart,
  { signal, overlapMs }: { readonly signal: AbortSignal; readonly overlapMs: number },
): AsyncGenerator<PassPage> {
  yield* refetchQuarantined(deps, pass, start.quarantinedIds, signal);
  const resume = start.plan.resume;
  // A resumed pass whose every page is committed goes straight to its reconciliation (after the catch-up).
  if (!(resume && resume.cursor === null && resume.pages > 0)) yield* listing(deps, pass, start, signal);
  if (resume) yield* catchUp(deps.source, pass, new Date(resume.startedAt.getTime() - overlapMs), signal);
}

/** The quarantined ids, at most {@link MAX_IDS_PER_REQUEST} per request; ids Kombo no longer returns are released. */
async function* refetchQuarantined(
  deps: PassPagesDeps,
  pass: ModelPass,
  quarantinedIds: readonly string[],
  signal: AbortSignal,
): AsyncGenerator<PassPage> {
  const { integrationId, model } = pass;
  for (let start = 0; start < quarantinedIds.length; start += MAX_IDS_PER_REQUEST) {
    const ids = quarantinedIds.slice(start, start + MAX_IDS_PER_REQUEST);
    const returned = new Set<string>();
    for await (const page of deps.source.pages(model, { integrationId, signal, ids })) {
      for (const record of page.results) returned.add(record.id);
      for (const record of page.rejected ?? []) returned.add(record.id);
      yield { page };
    }
    // Not returned even with include_deleted: the record is gone, so it no longer waits in quarantine.
    const gone = ids.filter((id) => !returned.has(id));
    if (gone.length > 0) await deps.store.releaseQuarantined?.({ integrationId, model, ids: gone });
  }
}

/** The model's listing (`updated_after` on a delta), from the checkpointed cursor of a resumed pass. */
async function* listing(
  deps: PassPagesDeps,
  pass: ModelPass,
  start: PassStart,
  signal: AbortSignal,
): AsyncGenerator<PassPage> {
  const resume = start.plan.resume;
  const pages = deps.source.pages(pass.model, {
    integrationId: pass.integrationId,
    signal,
    ...(pass.updatedAfter ? { updatedAfter: pass.updatedAfter } : {}),
    ...(resume?.cursor ? { cursor: resume.cursor } : {}),
  });
  let listingNumber = resume?.pages ?? 0;
  const checked = resume?.cursor ? resumedListing(pass.model, pages, deps.classifyError) : pages;
  for await (const page of checked) yield { page, listingNumber: (listingNumber += 1) };
}

/**
 * A resumed pass read its first pages in an earlier run: a record on them may have changed since (and its
 * webhook's intent be the one this run took). Reads what changed since the pass started, so the pass ends as fresh
 * as a pass started now.
 */
async function* catchUp(
  source: SyncSource,
  pass: ModelPass,
  since: Date,
  signal: AbortSignal,
): AsyncGenerator<PassPage> {
  const pages = source.pages(pass.model, { integrationId: pass.integrationId, signal, updatedAfter: since });
  for await (const page of pages) yield { page };
}
