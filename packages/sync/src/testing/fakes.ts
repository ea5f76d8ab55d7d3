/**
 * In-memory fakes of the engine's interfaces, for tests (`@kombo-sync/sync/testing`, not in the production index).
 */
import type { ModelName } from '@kombo-sync/catalog';
import { raceAbort } from '../prefetch.js';
import type {
  CommitModelSuccessInput,
  ModelState,
  ModelKey,
  OpenPassInput,
  PassCheckpoint,
  RecordModelFailureInput,
  RecordModelSkippedInput,
  ReconcileDeletionsInput,
  KomboRejectedRecord,
  SourcePage,
  SourcePagesOptions,
  KomboRecord,
  SyncLogger,
  SyncSource,
  SyncStore,
  WritePageInput,
  WritePageResult,
} from '../types.js';

/** An ordered log of named events, awaitable with a bound (no sleeps: resolves as soon as the event happens). */
export class EventLog {
  readonly entries: string[] = [];
  readonly #waiters = new Map<string, Array<() => void>>();

  add(entry: string): void {
    this.entries.push(entry);
    for (const wake of this.#waiters.get(entry) ?? []) wake();
    this.#waiters.delete(entry);
  }

  has(entry: string): boolean {
    return this.entries.includes(entry);
  }

  /** Resolves true when `entry` is logged, false if it is not within `boundMs`. */
  waitFor(entry: string, boundMs = 2000): Promise<boolean> {
    if (this.has(entry)) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), boundMs);
      const list = this.#waiters.get(entry) ?? [];
      list.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
      this.#waiters.set(entry, list);
    });
  }
}

export function record(
  id: string,
  changedAt = '2026-01-01T00:00:00.000Z',
  deletedAt: string | null = null,
): KomboRecord {
  return { id, changed_at: changedAt, remote_deleted_at: deletedAt, name: `name-${id}` };
}

const nextTick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export interface FakeModelSpec {
  readonly pages: ReadonlyArray<{
    readonly records: readonly KomboRecord[];
    readonly komboTime: Date;
    /** The records' texts as the source received them (SourcePage.rawResults). */
    readonly rawResults?: readonly string[];
    readonly rejected?: readonly KomboRejectedRecord[];
  }>;
  /** Answers a `pages()` call with `ids` (one page); default: an empty page. */
  readonly byIds?: (ids: readonly string[]) => {
    readonly records: readonly KomboRecord[];
    readonly rejected?: readonly KomboRejectedRecord[];
    readonly komboTime: Date;
  };
  /** Throw this error instead of returning the page with this 1-based number. */
  readonly failAt?: { readonly page: number; readonly error: unknown };
  /** The fetch of this 1-based page never settles and ignores the abort signal. */
  readonly hangAt?: number;
  /** Awaited before the page with this 1-based number is returned (the signal still aborts it). */
  readonly gates?: ReadonlyMap<number, Promise<void>>;
  /** The pages served for `updated_after` (a delta, a resumed pass's catch-up); default: `pages`. */
  readonly pagesSince?: (updatedAfter: Date) => FakeModelSpec['pages'];
}

/** The error of a cursor the fake source does not know (as Kombo's 400 PLATFORM.INPUT_INVALID). */
export class FakeCursorRefusedError extends Error {
  readonly code = 'PLATFORM.INPUT_INVALID';
  constructor(cursor: string) {
    super(`the cursor ${cursor} is invalid`);
    this.name = 'FakeCursorRefusedError';
  }
}

/**
 * Fake source: logs `fetch:<model>:<page>` / `fetched:<model>:<page>` and counts in-flight fetches. Page n's `next`
 * is `c<n>`; a `cursor` option `c<n>` starts at page n + 1 (any other cursor is refused).
 */
export class FakeSource implements SyncSource {
  readonly events: EventLog;
  readonly calls: Array<{
    model: ModelName;
    updatedAfter: Date | undefined;
    ids?: readonly string[] | undefined;
    cursor?: string | undefined;
  }> = [];
  inFlight = 0;
  maxInFlight = 0;

  constructor(
    readonly specs: Partial<Record<ModelName, FakeModelSpec>>,
    events = new EventLog(),
  ) {
    this.events = events;
  }

  async *pages(model: ModelName, options: SourcePagesOptions): AsyncGenerator<SourcePage> {
    this.calls.push({
      model,
      updatedAfter: options.updatedAfter,
      ...(options.ids ? { ids: options.ids } : {}),
      ...(options.cursor ? { cursor: options.cursor } : {}),
    });
    const spec = this.specs[model];
    if (!spec) throw new Error(`no fake pages for ${model}`);
    if (options.ids) {
      this.events.add(`fetch-ids:${model}:${options.ids.join(',')}`);
      const page = spec.byIds?.(options.ids) ?? { records: [], komboTime: spec.pages[0]!.komboTime };
      yield {
        results: page.records,
        ...(page.rejected ? { rejected: page.rejected } : {}),
        komboTime: page.komboTime,
        next: null,
      };
      return;
    }
    const pages =
      options.updatedAfter && spec.pagesSince ? spec.pagesSince(options.updatedAfter) : spec.pages;
    const first = options.cursor === undefined ? 0 : Number(/^c(\d+)$/.exec(options.cursor)?.[1] ?? NaN);
    if (Number.isNaN(first)) throw new FakeCursorRefusedError(options.cursor as string);
    for (let index = first; index < pages.length; index++) {
      const number = index + 1;
      const page = pages[index]!;
      this.inFlight += 1;
      this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
      this.events.add(`fetch:${model}:${number}`);
      try {
        if (spec.hangAt === number) await new Promise<never>(() => undefined);
        await raceAbort(spec.gates?.get(number) ?? nextTick(), options.signal);
        if (spec.failAt?.page === number) throw spec.failAt.error;
      } finally {
        this.inFlight -= 1;
      }
      this.events.add(`fetched:${model}:${number}`);
      yield {
        results: page.records,
        ...(page.rawResults ? { rawResults: page.rawResults } : {}),
        ...(page.rejected ? { rejected: page.rejected } : {}),
        komboTime: page.komboTime,
        next: number < pages.length ? `c${number}` : null,
      };
    }
  }
}

interface StoredRow {
  record: KomboRecord;
  komboFetchedAt: Date;
  deleted: boolean;
}

/** Fake store: rows in maps; logs `write:<model>:<n>` (when done), `reconcile:<model>`, `commit:<model>`, …. */
export class FakeStore implements SyncStore {
  readonly events: EventLog;
  readonly states = new Map<ModelName, ModelState>();
  readonly rows = new Map<string, StoredRow>();
  readonly seen = new Set<string>();
  readonly writes: WritePageInput[] = [];
  readonly reconciles: ReconcileDeletionsInput[] = [];
  readonly commits: CommitModelSuccessInput[] = [];
  readonly failures: RecordModelFailureInput[] = [];
  readonly skips: RecordModelSkippedInput[] = [];
  /** Quarantined records by `<model>:<id>`: the number of writes that set them aside. */
  readonly quarantine = new Map<string, number>();
  /** Awaited inside writePage before it resolves; gets the write's 1-based number for that model. */
  writeGate?: (input: WritePageInput, page: number) => Promise<void>;

  constructor(events = new EventLog()) {
    this.events = events;
  }

  async getModelStates(): Promise<ReadonlyMap<ModelName, ModelState>> {
    return new Map(this.states);
  }

  async writePage(input: WritePageInput): Promise<WritePageResult> {
    this.writes.push(input);
    const page = this.writes.filter((write) => write.model === input.model).length;
    this.events.add(`write-start:${input.model}:${page}`);
    await this.writeGate?.(input, page);
    let inserted = 0;
    let updated = 0;
    let unchanged = 0;
    const changedIds: string[] = [];
    const deletedIds: string[] = [];
    for (const rec of input.records) {
      const key = `${input.model}:${rec.id}`;
      if (input.isFullPass) this.seen.add(`${input.passId ?? input.runId}:${key}`);
      const old = this.rows.get(key);
      const isDeleted = rec.remote_deleted_at !== null;
      if (old && old.record.changed_at === rec.changed_at && old.deleted === isDeleted) unchanged += 1;
      else {
        if (old) updated += 1;
        else inserted += 1;
        changedIds.push(rec.id);
        if (isDeleted && !old?.deleted) deletedIds.push(rec.id);
      }
      this.rows.set(key, { record: rec, komboFetchedAt: input.komboFetchedAt, deleted: isDeleted });
      this.quarantine.delete(key);
    }
    for (const rejected of input.rejected ?? []) {
      const key = `${input.model}:${rejected.id}`;
      this.quarantine.set(key, (this.quarantine.get(key) ?? 0) + 1);
    }
    this.events.add(`write:${input.model}:${page}`);
    const quarantinedIds = (input.rejected ?? []).map((rejected) => rejected.id);
    return {
      inserted,
      updated,
      unchanged,
      deleted: deletedIds.length,
      changedIds,
      deletedIds,
      quarantined: quarantinedIds.length,
      quarantinedIds,
    };
  }

  async reconcileDeletions(
    input: ReconcileDeletionsInput,
  ): Promise<{ deleted: number; deletedIds: string[] }> {
    this.reconciles.push(input);
    const deletedIds: string[] = [];
    for (const [key, row] of this.rows) {
      const [model, id] = key.split(':') as [string, string];
      if (model !== input.model || row.deleted || this.seen.has(`${input.passId ?? input.runId}:${key}`))
        continue;
      if (row.komboFetchedAt >= input.passStartedAt) continue;
      row.deleted = true;
      deletedIds.push(id);
    }
    this.events.add(`reconcile:${input.model}`);
    return { deleted: deletedIds.length, deletedIds };
  }

  async commitModelSuccess(input: CommitModelSuccessInput): Promise<void> {
    this.commits.push(input);
    this.states.set(input.model, { watermark: input.watermark });
    this.events.add(`commit:${input.model}`);
  }

  async recordModelFailure(input: RecordModelFailureInput): Promise<void> {
    this.failures.push(input);
    this.events.add(`failure:${input.model}`);
  }

  async recordModelSkipped(input: RecordModelSkippedInput): Promise<void> {
    this.skips.push(input);
    this.events.add(`skip:${input.model}`);
  }

  async listQuarantinedIds(input: ModelKey): Promise<string[]> {
    return [...this.quarantine.keys()]
      .filter((key) => key.startsWith(`${input.model}:`))
      .map((key) => key.slice(input.model.length + 1));
  }

  async releaseQuarantined(input: ModelKey & { ids: readonly string[] }): Promise<void> {
    for (const id of input.ids) this.quarantine.delete(`${input.model}:${id}`);
    this.events.add(`release:${input.model}:${input.ids.join(',')}`);
  }
}

/** An open pass as {@link FakePassStore} keeps it. */
export interface FakeOpenPass {
  passId: number;
  startedAt: Date;
  cursor: string | null;
  pages: number;
}

/**
 * A {@link FakeStore} with resumable passes: `openPass` records one (`open-pass:<model>`), a page's checkpoint moves
 * it, `discardPass` forgets it (`discard-pass:<model>`), a reconciliation of the pass closes it; `getModelStates`
 * hands each open pass back (intact, cursor age 0).
 */
export class FakePassStore extends FakeStore {
  readonly passes = new Map<ModelName, FakeOpenPass>();

  override async getModelStates(): Promise<ReadonlyMap<ModelName, ModelState>> {
    const states = new Map(await super.getModelStates());
    for (const [model, pass] of this.passes) {
      const openPass = { ...pass, cursorAgeMs: 0, isIntact: true };
      states.set(model, { watermark: states.get(model)?.watermark ?? null, openPass });
    }
    return states;
  }

  async openPass(input: OpenPassInput): Promise<void> {
    this.passes.set(input.model, {
      passId: input.passId,
      startedAt: input.startedAt,
      cursor: null,
      pages: 0,
    });
    this.events.add(`open-pass:${input.model}`);
  }

  async discardPass(input: ModelKey): Promise<void> {
    this.passes.delete(input.model);
    this.events.add(`discard-pass:${input.model}`);
  }

  /** Awaited after a page's transaction was asked its checkpoint, before it commits (gets the write's number). */
  commitGate?: (input: WritePageInput, page: number) => Promise<void>;

  override async writePage(input: WritePageInput): Promise<WritePageResult> {
    const page = this.writes.filter((write) => write.model === input.model).length + 1;
    const result = await super.writePage(input);
    const checkpoint = input.checkpoint?.();
    this.events.add(`checkpoint-asked:${input.model}:${page}`);
    await this.commitGate?.(input, page);
    if (checkpoint)
      await this.checkpointPass({ integrationId: input.integrationId, model: input.model, ...checkpoint });
    return result;
  }

  async checkpointPass(input: ModelKey & PassCheckpoint): Promise<void> {
    const pass = this.passes.get(input.model);
    if (pass?.passId !== input.passId || input.pages <= pass.pages) return;
    pass.pages = input.pages;
    pass.cursor = input.cursor;
  }

  override async reconcileDeletions(
    input: ReconcileDeletionsInput,
  ): Promise<{ deleted: number; deletedIds: string[] }> {
    const result = await super.reconcileDeletions(input);
    if (input.passId !== undefined) this.passes.delete(input.model);
    return result;
  }
}

/** A logger that drops everything. */
export const silentLogger: SyncLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
};

/** `count` pages of `perPage` records each, ids `<prefix>-<n>`, komboTimes one second apart from `start`. */
export function makePages(
  prefix: string,
  count: number,
  perPage: number,
  start: Date,
): FakeModelSpec['pages'] {
  return Array.from({ length: count }, (_, page) => ({
    komboTime: new Date(start.getTime() + page * 1000),
    records: Array.from({ length: perPage }, (_, i) => record(`${prefix}-${page * perPage + i}`)),
  }));
}
