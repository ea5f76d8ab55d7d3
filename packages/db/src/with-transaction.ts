import type { Database, Executor } from './create-database.js';

/** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws (the error is rethrown). */
export function withTransaction<T>(database: Database, fn: (tx: Executor) => Promise<T>): Promise<T> {
  return database.db.transaction((tx) => fn(tx));
}
