import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describeOldSchema, readSchemaStatus } from './check-schema.js';
import { MIGRATIONS_FOLDER } from './migrate.js';
import { createTestDatabase, type TestDatabase } from './testing/create-test-database.js';
import { testServices } from '@kombo-sync/config/testing';

const { databaseUrl: TEST_DATABASE_URL } = testServices();

const TAGS = (
  JSON.parse(readFileSync(path.join(MIGRATIONS_FOLDER, 'meta', '_journal.json'), 'utf8')) as {
    entries: { tag: string }[];
  }
).entries.map((entry) => entry.tag);

describe('readSchemaStatus', () => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await createTestDatabase(TEST_DATABASE_URL, { shouldMigrate: false });
  });
  afterAll(async () => {
    await test.drop();
  });

  it('reports an empty database, a migrated one, and one a release behind', async () => {
    const empty = await readSchemaStatus(test.database);
    expect(empty).toEqual({
      isCurrent: false,
      expected: { count: TAGS.length, last: TAGS.at(-1) },
      applied: { count: 0, last: null },
      missing: TAGS,
    });
    expect(describeOldSchema(empty, 'worker')).toContain('it has no migrations');

    const { migrate } = await import('./migrate.js');
    await migrate(test.database);
    expect((await readSchemaStatus(test.database)).isCurrent).toBe(true);

    // The database as the previous release left it: its last migration not applied yet.
    await test.database.pool.query(
      'DELETE FROM drizzle.__drizzle_migrations WHERE id = (SELECT max(id) FROM drizzle.__drizzle_migrations)',
    );
    const behind = await readSchemaStatus(test.database);
    expect(behind).toMatchObject({
      isCurrent: false,
      applied: { count: TAGS.length - 1, last: TAGS.at(-2) },
      missing: [TAGS.at(-1)],
    });
    const line = describeOldSchema(behind, 'worker');
    expect(line).not.toContain('\n');
    expect(line).toContain(
      `it has ${TAGS.length - 1} migrations (up to ${TAGS.at(-2)}), this release expects ${TAGS.length}`,
    );
  });
});
