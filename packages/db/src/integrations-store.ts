import { and, asc, eq, isNotNull, isNull, or, sql } from 'drizzle-orm';
import { toExecutor, type DbLike } from './create-database.js';
import { integrations, type IntegrationRow } from './schema/integrations.js';

export interface IntegrationInput {
  /** Kombo's integration id, `<tool>:<id>`. */
  id: string;
  tool: string;
  /** Kombo's category as sent: HRIS, ATS, LMS, ASSESSMENT… */
  category: string;
  originId?: string | null;
  organizationName?: string | null;
  creatorEmail?: string | null;
  state?: string | null;
  setupStatus?: string | null;
  qaStatus?: string | null;
  isPaused?: boolean;
  createdAt?: Date;
  /** null makes a deleted integration live again (re-created with the same id). */
  deletedAt?: Date | null;
  notFoundSince?: Date | null;
}

export interface IntegrationStateInput {
  state?: string | null;
  setupStatus?: string | null;
  qaStatus?: string | null;
  isPaused?: boolean;
  notFoundSince?: Date | null;
  dataExpiredAt?: Date | null;
}

/** Drops the keys whose value is undefined, so an update leaves those columns as they are. */
function defined<T extends object>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as Partial<T>;
}

/** Inserts the integration, or updates the given fields of a known one (omitted fields keep their value). */
export async function upsertIntegration(db: DbLike, input: IntegrationInput): Promise<IntegrationRow> {
  const { id: _id, createdAt: _createdAt, ...updatable } = input;
  const [row] = await toExecutor(db)
    .insert(integrations)
    .values(input)
    .onConflictDoUpdate({ target: integrations.id, set: { ...defined(updatable), updatedAt: sql`now()` } })
    .returning();
  if (!row) throw new Error(`upsertIntegration returned no row for ${input.id}`);
  return row;
}

/** Records that Kombo deleted the integration; returns false when it is unknown. */
export async function markIntegrationDeleted(
  db: DbLike,
  id: string,
  deletedAt: Date = new Date(),
): Promise<boolean> {
  const rows = await toExecutor(db)
    .update(integrations)
    .set({ deletedAt, updatedAt: sql`now()` })
    .where(eq(integrations.id, id))
    .returning({ id: integrations.id });
  return rows.length > 0;
}

/** Updates the integration's state fields that are given; returns false when it is unknown. */
export async function setIntegrationState(
  db: DbLike,
  id: string,
  input: IntegrationStateInput,
): Promise<boolean> {
  const rows = await toExecutor(db)
    .update(integrations)
    .set({ ...defined(input), updatedAt: sql`now()` })
    .where(eq(integrations.id, id))
    .returning({ id: integrations.id });
  return rows.length > 0;
}

/**
 * Ends a NOT_FOUND streak (Kombo answered for the integration again): clears `not_found_since`, and the NOT_FOUND
 * state a confirmed streak had set. Writes nothing when there was no streak; returns whether there was.
 */
export async function clearIntegrationNotFound(db: DbLike, id: string): Promise<boolean> {
  const rows = await toExecutor(db)
    .update(integrations)
    .set({
      notFoundSince: null,
      state: sql`CASE WHEN ${integrations.state} = 'NOT_FOUND' THEN NULL ELSE ${integrations.state} END`,
      updatedAt: sql`now()`,
    })
    .where(
      and(
        eq(integrations.id, id),
        or(isNotNull(integrations.notFoundSince), eq(integrations.state, 'NOT_FOUND')),
      ),
    )
    .returning({ id: integrations.id });
  return rows.length > 0;
}

/** Live integrations that Kombo currently answers INTEGRATION_NOT_FOUND for, still within the grace (flagged). */
export async function countNotFoundFlagged(db: DbLike): Promise<number> {
  const [row] = await toExecutor(db)
    .select({ count: sql<number>`count(*)::int` })
    .from(integrations)
    .where(and(isNull(integrations.deletedAt), isNotNull(integrations.notFoundSince)));
  return row?.count ?? 0;
}

export async function getIntegration(db: DbLike, id: string): Promise<IntegrationRow | undefined> {
  const [row] = await toExecutor(db).select().from(integrations).where(eq(integrations.id, id));
  return row;
}

/**
 * Whether the integration is paused, by an operator (`isPaused`) or by its state (`state`): one primary-key read of
 * two columns, cheap enough for a running sync to ask before each Kombo request. Undefined when not recorded.
 */
export async function getPauseState(
  db: DbLike,
  id: string,
): Promise<{ isPaused: boolean; state: string | null } | undefined> {
  const [row] = await toExecutor(db)
    .select({ isPaused: integrations.isPaused, state: integrations.state })
    .from(integrations)
    .where(eq(integrations.id, id));
  return row;
}

/** Integrations ordered by id; deleted ones only with `includeDeleted` (default false). */
export async function listIntegrations(
  db: DbLike,
  options: { includeDeleted?: boolean } = {},
): Promise<IntegrationRow[]> {
  const query = toExecutor(db).select().from(integrations);
  const filtered = options.includeDeleted ? query : query.where(isNull(integrations.deletedAt));
  return filtered.orderBy(asc(integrations.id));
}
