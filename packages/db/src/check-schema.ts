import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Database } from './create-database.js';
import { MIGRATIONS_FOLDER } from './migrate.js';

/** One migration of drizzle/meta/_journal.json: `when` is what drizzle records as the applied row's `created_at`. */
interface JournalEntry {
  tag: string;
  when: number;
}

/** What the database has applied against what this release's migrations folder holds. */
export interface SchemaStatus {
  /** Every migration of this release is applied (the database may have newer ones: migrations only add). */
  isCurrent: boolean;
  /** Migrations this release has, and the last one's tag. */
  expected: { count: number; last: string };
  /** Migrations the database has applied, and the last one's tag when this release knows it. */
  applied: { count: number; last: string | null };
  /** Tags of this release's migrations the database has not applied, oldest first. */
  missing: string[];
}

function readJournal(folder: string): JournalEntry[] {
  const journal = JSON.parse(readFileSync(path.join(folder, 'meta', '_journal.json'), 'utf8')) as {
    entries: JournalEntry[];
  };
  return journal.entries;
}

/**
 * Compares the migrations applied to the database (drizzle's `drizzle.__drizzle_migrations`) with those of this
 * release's migrations folder. Like drizzle's migrator, a migration counts as applied when the last applied one is
 * not older than it, so the order of the folder's journal decides.
 */
export async function readSchemaStatus(
  database: Database,
  migrationsFolder: string = MIGRATIONS_FOLDER,
): Promise<SchemaStatus> {
  const entries = readJournal(migrationsFolder);
  const { rows } = await database.pool
    .query<{ count: number; last_at: string | null }>(
      'SELECT count(*)::int AS count, max(created_at)::text AS last_at FROM drizzle.__drizzle_migrations',
    )
    .catch((err: unknown) => {
      // 42P01 / 3F000: no migration table or schema yet, so nothing applied.
      const code = (err as { code?: string }).code;
      if (code === '42P01' || code === '3F000') return { rows: [] };
      throw err;
    });
  const { count, last_at: lastAt } = rows[0] ?? { count: 0, last_at: null };
  const lastAppliedAt = lastAt === null ? -Infinity : Number(lastAt);
  const missing = entries.filter((entry) => entry.when > lastAppliedAt).map((entry) => entry.tag);
  return {
    isCurrent: missing.length === 0,
    expected: { count: entries.length, last: entries.at(-1)?.tag ?? '(none)' },
    applied: { count, last: entries.find((entry) => entry.when === lastAppliedAt)?.tag ?? null },
    missing,
  };
}

/** The one line an app prints before exiting on a schema older than it needs. */
export function describeOldSchema(status: SchemaStatus, app: string): string {
  const applied =
    status.applied.count === 0
      ? 'no migrations'
      : `${status.applied.count} migrations (up to ${status.applied.last ?? 'an unknown one'})`;
  return (
    `The database schema is older than this ${app} needs: it has ${applied}, this release expects ` +
    `${status.expected.count} (up to ${status.expected.last}; missing ${status.missing.join(', ')}). ` +
    'Run the migrations of this release first (`migrate`), then start it again.'
  );
}

/**
 * At an app's start, after connecting: when the database lacks migrations of this release, writes
 * {@link describeOldSchema}'s one line to stderr, closes `database` and exits 1, so an app deployed before its
 * migrations ran never meets a missing table or column mid-run. A newer schema is fine (migrations only add).
 */
export async function exitIfSchemaOld(database: Database, app: string): Promise<void> {
  const status = await readSchemaStatus(database);
  if (status.isCurrent) return;
  process.stderr.write(`${describeOldSchema(status, app)}\n`);
  await database.close();
  process.exit(1);
}
