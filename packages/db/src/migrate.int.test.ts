import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MODELS, type FieldType } from '@kombo-sync/catalog';
import { createDatabase, DatabaseConnectionError } from './create-database.js';
import { migrate } from './migrate.js';
import { createTestDatabase, type TestDatabase } from './testing/create-test-database.js';
import { testServices } from '@kombo-sync/config/testing';

const { databaseUrl: TEST_DATABASE_URL } = testServices();

const PG_TYPES: Record<FieldType, string> = {
  text: 'text',
  timestamp: 'timestamp with time zone',
  number: 'double precision',
  boolean: 'boolean',
  json: 'jsonb',
};

describe('migrate', () => {
  let test: TestDatabase;

  beforeAll(async () => {
    test = await createTestDatabase(TEST_DATABASE_URL, { shouldMigrate: false });
  });
  afterAll(async () => {
    await test.drop();
  });

  it('applies the migrations on an empty database, then again as a no-op, also concurrently', async () => {
    await migrate(test.database);
    const applied = await test.database.pool.query('SELECT hash FROM drizzle.__drizzle_migrations');
    expect(applied.rowCount).toBeGreaterThan(0);

    const other = await createDatabase({ url: test.url, poolSize: 2 });
    try {
      await Promise.all([migrate(test.database), migrate(other)]);
    } finally {
      await other.close();
    }
    const again = await test.database.pool.query('SELECT hash FROM drizzle.__drizzle_migrations');
    expect(again.rows).toEqual(applied.rows);
  });

  it('creates a table per catalog model with every catalog field as a typed column', async () => {
    const { rows } = await test.database.pool.query<{
      table_name: string;
      column_name: string;
      data_type: string;
      is_nullable: 'YES' | 'NO';
    }>(
      `SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns
       WHERE table_schema = 'public'`,
    );
    const columns = new Map(rows.map((row) => [`${row.table_name}.${row.column_name}`, row]));
    for (const model of MODELS) {
      for (const [name, field] of Object.entries(model.fields)) {
        const column = columns.get(`${model.name}.${name}`);
        expect({ column: `${model.name}.${name}`, type: column?.data_type }).toEqual({
          column: `${model.name}.${name}`,
          type: PG_TYPES[field.type],
        });
        expect(column?.is_nullable).toBe('nullable' in field && field.nullable === false ? 'NO' : 'YES');
      }
      for (const common of [
        'integration_id',
        'id',
        'changed_at',
        'raw',
        'kombo_fetched_at',
        'kombo_fetch_order',
      ]) {
        expect(columns.get(`${model.name}.${common}`)?.is_nullable).toBe('NO');
      }
      for (const common of ['remote_deleted_at', 'first_seen_at', 'last_seen_at', 'last_run_id']) {
        expect(columns.has(`${model.name}.${common}`)).toBe(true);
      }
      // NULL for rows written before the column existed.
      expect(columns.get(`${model.name}.raw_hash`)).toMatchObject({ data_type: 'bytea', is_nullable: 'YES' });
      const tableColumns = rows.filter((row) => row.table_name === model.name).length;
      expect(tableColumns).toBe(Object.keys(model.fields).length + 11);
    }
  });

  it('indexes lookup columns, keys model tables by (integration_id, id), and keeps seen ids unlogged', async () => {
    const { rows: indexes } = await test.database.pool.query<{ indexdef: string }>(
      `SELECT indexdef FROM pg_indexes WHERE schemaname = 'public'`,
    );
    const defs = indexes.map((row) => row.indexdef);
    for (const model of MODELS) {
      expect(defs).toContain(
        `CREATE UNIQUE INDEX ${model.name}_pkey ON public.${model.name} USING btree (integration_id, id)`,
      );
      for (const column of model.lookupColumns) {
        expect(defs).toContain(
          `CREATE INDEX ${model.name}_${column}_idx ON public.${model.name} USING btree (integration_id, ${column})`,
        );
      }
    }
    const { rows } = await test.database.pool.query(
      `SELECT relpersistence FROM pg_class WHERE relname = 'sync_seen_ids'`,
    );
    expect(rows).toEqual([{ relpersistence: 'u' }]);
  });
});

describe('createDatabase', () => {
  it('names host and port, never the password, when Postgres is unreachable', async () => {
    const error = await createDatabase({
      url: 'postgres://kombo:Sup3rS3cretPw@127.0.0.1:1/kombo_sync',
      connectTimeoutMs: 2_000,
    }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(DatabaseConnectionError);
    const message = (error as Error).message;
    expect(message).toContain('127.0.0.1:1/kombo_sync');
    expect(message).not.toContain('Sup3rS3cretPw');
    expect(JSON.stringify(error)).not.toContain('Sup3rS3cretPw');
    expect(String((error as Error).cause)).not.toContain('Sup3rS3cretPw');
  });
});
