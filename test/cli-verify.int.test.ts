// `kombo-sync verify` end to end: a sandbox (apps/sandbox) as Kombo, the real Kombo client, a mirror filled with
// packages/db writePage from client pages (the worker's write path), then tampered with.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ModelName } from '@kombo-sync/catalog';
import {
  quarantineRecords,
  recordFieldDefinitionsError,
  replaceFieldDefinitions,
  startRun,
  upsertIntegration,
  writePage,
  type Database,
} from '@kombo-sync/db';
import { createKomboClient, type KomboClient, type KomboPage } from '@kombo-sync/kombo';
import { memoryOutput, runVerify, type VerifySource } from '@kombo-sync/cli/testing';
import { createTestDatabase } from '@kombo-sync/cli/testing';
import { createSandbox, type RunningSandbox, type Sandbox } from '@kombo-sync/sandbox/testing';

const API_KEY = 'cli-verify-test-key';
const HRIS: ModelName[] = ['hris_employees', 'hris_employments', 'hris_groups', 'hris_locations'];
let sandbox: Sandbox;
let running: RunningSandbox;
let client: KomboClient;
let database: Database;
let drop: () => Promise<void>;
let integrationId: string;
/** A second integration whose Kombo side has a NUL in one employee's first_name (see `withNul`). */
let nulIntegrationId: string;
let nulEmployeeId: string;

/** The client's pages of the NUL integration, with a NUL in one employee's first_name as some HR systems send. */
async function* withNul(
  model: ModelName,
  options: { integrationId: string; includeDeleted?: boolean },
): AsyncGenerator<KomboPage> {
  for await (const page of client.pages(model, options)) {
    if (options.integrationId !== nulIntegrationId || model !== 'hris_employees') yield page;
    else {
      const results = page.results.map((record) =>
        record.id === nulEmployeeId ? { ...record, first_name: 'Ada\u0000Lovelace' } : record,
      );
      yield { results, next: page.next, komboTime: page.komboTime };
    }
  }
}
const nulSource: VerifySource = { pages: withNul };

/** Fills the mirror of one integration's HRIS models from `pages` with the worker's page write. */
async function fillMirror(
  id: string,
  pages: (
    model: ModelName,
    options: { integrationId: string; includeDeleted: boolean },
  ) => AsyncIterable<KomboPage>,
): Promise<void> {
  await upsertIntegration(database, { id, tool: 'personio', category: 'HRIS', state: 'ACTIVE' });
  const runId = await startRun(database, { integrationId: id, kind: 'full', trigger: 'manual' });
  for (const model of HRIS) {
    for await (const page of pages(model, { integrationId: id, includeDeleted: true })) {
      await writePage(database, {
        integrationId: id,
        model,
        records: page.results,
        komboFetchedAt: page.komboTime,
        runId,
        pageIndex: 0,
        isFullPass: false,
      });
    }
  }
}

beforeAll(async () => {
  sandbox = createSandbox({ apiKey: API_KEY, seed: 7 });
  running = await sandbox.listen(0);
  client = createKomboClient({ baseUrl: running.url, apiKey: API_KEY, maxRetries: 0 });
  ({ database, drop } = await createTestDatabase());
  integrationId = sandbox.createIntegration({ category: 'HRIS', sizes: { employees: 300 } }).id;
  sandbox.mutate(integrationId, { deletes: 5, models: ['hris_employees'] });
  await fillMirror(integrationId, (model, options) => client.pages(model, options));

  nulIntegrationId = sandbox.createIntegration({ category: 'HRIS', sizes: { employees: 40 } }).id;
  for await (const page of client.pages('hris_employees', { integrationId: nulIntegrationId, pageSize: 1 })) {
    nulEmployeeId = page.results[0]?.id ?? '';
    break;
  }
  await fillMirror(nulIntegrationId, withNul);
});

afterAll(async () => {
  await running.close();
  await drop();
});

const verify = async (json = false, id = integrationId, source: VerifySource = client) => {
  const out = memoryOutput();
  const code = await runVerify(
    { db: database, source, out },
    { integrationId: id, models: HRIS.join(','), json },
  );
  return { code, text: out.stdout.join('\n') };
};

/** The same JSON value with every object's keys in reverse order, as text with two-space indentation. */
function reorderedText(value: unknown): string {
  const reorder = (item: unknown): unknown => {
    if (Array.isArray(item)) return item.map(reorder);
    if (typeof item !== 'object' || item === null) return item;
    return Object.fromEntries(
      Object.entries(item)
        .reverse()
        .map(([key, member]) => [key, reorder(member)]),
    );
  };
  return JSON.stringify(reorder(value), null, 2);
}

describe('verify', () => {
  it('reports no differences for a mirror filled from Kombo', async () => {
    const { code, text } = await verify();
    expect(text).toMatch(/hris_employees: equal \(300 rows\)/);
    expect(text).toMatch(/Mirror matches Kombo\./);
    expect(code).toBe(0);
  });

  it('lists tampered, deleted and extra rows and exits 1', async () => {
    const ids = await database.pool.query<{ id: string }>(
      `SELECT id FROM hris_employees WHERE integration_id = $1 AND remote_deleted_at IS NULL ORDER BY id LIMIT 3`,
      [integrationId],
    );
    const [changed, undeleted, removed] = ids.rows.map((row) => row.id);
    await database.pool.query(
      `UPDATE hris_employees SET changed_at = changed_at - interval '1 hour' WHERE id = $1`,
      [changed],
    );
    await database.pool.query(`UPDATE hris_employees SET remote_deleted_at = now() WHERE id = $1`, [
      undeleted,
    ]);
    await database.pool.query(`DELETE FROM hris_employees WHERE id = $1`, [removed]);
    await database.pool.query(
      `INSERT INTO hris_employees (integration_id, id, changed_at, raw, kombo_fetched_at) VALUES ($1, 'ghost', now(), '{}', now())`,
      [integrationId],
    );
    const { code, text } = await verify();
    expect(code).toBe(1);
    expect(text).toMatch(/hris_employees: DIFFERENT \(Kombo 300 rows, mirror 300\)/);
    expect(text).toContain(`missing in mirror (1): ${removed}`);
    expect(text).toContain('extra in mirror (1): ghost');
    expect(text).toContain(`changed_at differs (1): ${changed}`);
    expect(text).toContain(`deletion state differs (1): ${undeleted}`);
    expect(text).toMatch(/hris_employments: equal/);
    expect(text).toMatch(/Mirror differs from Kombo\./);

    const json = await verify(true);
    const parsed = JSON.parse(json.text) as { isEqual: boolean; models: { model: string; status: string }[] };
    expect(parsed.isEqual).toBe(false);
    expect(parsed.models.filter((m) => m.status === 'different').map((m) => m.model)).toEqual([
      'hris_employees',
    ]);
  });

  it('compares content: another key order, spacing, number format or a stored U+FFFD for a NUL is equal', async () => {
    const stored = await database.pool.query<{ first_name: string }>(
      `SELECT raw->>'first_name' AS first_name FROM hris_employees WHERE integration_id = $1 AND id = $2`,
      [nulIntegrationId, nulEmployeeId],
    );
    expect(stored.rows[0]?.first_name).toBe('Ada\uFFFDLovelace');

    const employee = await database.pool.query<{ id: string; raw: unknown }>(
      `SELECT id, raw FROM hris_employees WHERE integration_id = $1 AND id <> $2
         AND jsonb_typeof(raw->'weekly_hours') = 'number' ORDER BY id DESC LIMIT 1`,
      [nulIntegrationId, nulEmployeeId],
    );
    const { id: reorderedId, raw } = employee.rows[0]!;
    // jsonb keeps its own key order, so the reversed order shows in the text Kombo sent, not in what is read back;
    // the number's written form (40.0) is kept by jsonb and read back.
    const text = reorderedText(raw).replace(/("weekly_hours": )(\d+)(?=[,\n])/, '$1$2.0');
    expect(text).toMatch(/"weekly_hours": \d+\.0/);
    await database.pool.query(
      `UPDATE hris_employees SET raw = $3::jsonb WHERE integration_id = $1 AND id = $2`,
      [nulIntegrationId, reorderedId, text],
    );
    const readBack = await database.pool.query<{ weekly_hours: string }>(
      `SELECT raw->>'weekly_hours' AS weekly_hours FROM hris_employees WHERE integration_id = $1 AND id = $2`,
      [nulIntegrationId, reorderedId],
    );
    expect(readBack.rows[0]?.weekly_hours).toMatch(/^\d+\.0$/);

    const { code, text: output } = await verify(false, nulIntegrationId, nulSource);
    expect(output).toMatch(/hris_employees: equal \(40 rows\)/);
    expect(output).toMatch(/Mirror matches Kombo\./);
    expect(code).toBe(0);
  });

  it('reports a row with the same changed_at but other content, naming it, and exits 1', async () => {
    const ids = await database.pool.query<{ id: string }>(
      `SELECT id FROM hris_employees WHERE integration_id = $1 AND id <> $2 ORDER BY id LIMIT 1`,
      [nulIntegrationId, nulEmployeeId],
    );
    const tampered = ids.rows[0]!.id;
    await database.pool.query(
      `UPDATE hris_employees SET raw = jsonb_set(raw, '{first_name}', '"Tampered"')
       WHERE integration_id = $1 AND id = $2`,
      [nulIntegrationId, tampered],
    );
    const { code, text } = await verify(false, nulIntegrationId, nulSource);
    expect(code).toBe(1);
    expect(text).toMatch(/hris_employees: DIFFERENT \(Kombo 40 rows, mirror 40\)/);
    expect(text).toContain(`content differs (1): ${tampered}`);
    expect(text).not.toContain('changed_at differs');
    expect(text).not.toContain('deletion state differs');
    expect(text).toMatch(/Mirror differs from Kombo\./);

    const json = await verify(true, nulIntegrationId, nulSource);
    expect(json.code).toBe(1);
    const parsed = JSON.parse(json.text) as {
      isEqual: boolean;
      models: { model: string; status: string; differences?: Record<string, unknown> }[];
    };
    expect(parsed.isEqual).toBe(false);
    const employees = parsed.models.find((m) => m.model === 'hris_employees');
    expect(employees?.status).toBe('different');
    expect(employees?.differences).toEqual({
      counts: {
        missingInMirror: 0,
        extraInMirror: 0,
        changedAtDiffers: 0,
        deletionDiffers: 0,
        contentDiffers: 1,
      },
      missingInMirror: [],
      extraInMirror: [],
      changedAtDiffers: [],
      deletionDiffers: [],
      contentDiffers: [tampered],
    });
    expect(parsed.models.filter((m) => m.status === 'different').map((m) => m.model)).toEqual([
      'hris_employees',
    ]);
  });

  it('reports a quarantined record with an older stored version as quarantined, not as a difference', async () => {
    const id = sandbox.createIntegration({ category: 'HRIS', sizes: { employees: 12 } }).id;
    await fillMirror(id, (model, options) => client.pages(model, options));
    const [rejected, refused] = sandbox.truth(id, 'hris_employees') as Record<string, unknown>[];
    // Kombo changes two records in ways the mirror cannot store: the worker quarantines them, the mirror keeps
    // their older versions.
    const poison = (record: Record<string, unknown> | undefined, changes: Record<string, unknown>) =>
      sandbox.poisonRecord({
        integrationId: id,
        model: 'hris_employees',
        recordId: String(record?.['id']),
        text: JSON.stringify({ ...record, ...changes, changed_at: new Date().toISOString() }),
      });
    poison(rejected, { weekly_hours: 'forty' });
    poison(refused, { date_of_birth: '0000-01-01T00:00:00Z' });
    const before = await verify(false, id);
    expect(before.code).toBe(1);
    expect(before.text).toContain('hris_employees: DIFFERENT');
    expect(before.text).not.toContain('extra in mirror');

    await quarantineRecords(database, {
      integrationId: id,
      model: 'hris_employees',
      runId: 2,
      entries: [rejected, refused].map((record) => ({
        recordId: String(record?.['id']),
        reasonCode: '22008',
        reasonClass: 'data',
        reason: 'SQLSTATE 22008',
        recordText: '{}',
      })),
    });
    const after = await verify(false, id);
    expect(after.text).toMatch(
      /hris_employees: equal \(10 rows\)\n {2}2 quarantined \(not stored; see kombo-sync status /,
    );
    expect(after.text).toContain('Mirror matches Kombo.');
    expect(after.code).toBe(0);
    sandbox.clearPoison(id);
  });

  it('counts quarantined records per model', async () => {
    await quarantineRecords(database, {
      integrationId,
      model: 'hris_employments',
      runId: 1,
      entries: [
        {
          recordId: 'q1',
          reasonCode: '22003',
          reasonClass: 'data',
          reason: 'SQLSTATE 22003',
          recordText: '{}',
        },
      ],
    });
    const { text } = await verify();
    expect(text).toMatch(/hris_employments: equal.*\n {2}1 quarantined \(not stored; see kombo-sync status /);
    const parsed = JSON.parse((await verify(true)).text) as {
      models: { model: string; quarantined: number }[];
    };
    expect(parsed.models.map((m) => [m.model, m.quarantined])).toEqual(
      HRIS.map((m) => [m, m === 'hris_employments' ? 1 : 0]),
    );
  });

  it('compares the field definitions on a verify of every model, naming the differing ones', async () => {
    const id = sandbox.createIntegration({ category: 'HRIS', sizes: { employees: 3 }, customFields: 5 }).id;
    await upsertIntegration(database, { id, tool: 'personio', category: 'HRIS', state: 'ACTIVE' });
    // The models are not filled (they differ): the definitions' lines and JSON are what is looked at.
    const run = async () => {
      const out = memoryOutput();
      await runVerify({ db: database, source: client, out }, { integrationId: id });
      const json = memoryOutput();
      await runVerify({ db: database, source: client, out: json }, { integrationId: id, json: true });
      const parsed = JSON.parse(json.stdout.join('\n')) as { fieldDefinitions: { status: string }[] };
      return { text: out.stdout.join('\n'), statuses: parsed.fieldDefinitions.map((d) => d.status) };
    };
    // Not read yet: said, not a difference (the models are empty on both sides).
    await recordFieldDefinitionsError(database, id, 'PLATFORM.RATE_LIMIT_EXCEEDED: slow down');
    let result = await run();
    expect(result.text).toMatch(
      /custom-fields: not read by the workers yet; last error: PLATFORM\.RATE_LIMIT/,
    );
    expect(result.statuses).toEqual(['not-read', 'not-read']);

    const read = async () =>
      replaceFieldDefinitions(database, {
        integrationId: id,
        customFields: (await client.fieldDefinitions('custom-fields', id)).results,
        integrationFields: (await client.fieldDefinitions('integration-fields', id)).results,
        at: new Date(),
      });
    await read();
    result = await run();
    expect(result.text).toMatch(/custom-fields: equal \(5 definitions\)/);
    expect(result.text).toMatch(/integration-fields: equal \(15 definitions\)/);
    expect(result.statuses).toEqual(['equal', 'equal']);

    sandbox.changeFieldDefinitions(id, { creates: 1, updates: 1 });
    const created = sandbox.fieldDefinitions(id).customFields.at(-1)?.id ?? '';
    result = await run();
    expect(result.text).toMatch(/custom-fields: DIFFERENT \(Kombo 6 definitions, mirror 5\)/);
    expect(result.text).toContain(`missing in mirror: ${created}`);
    expect(result.text).toMatch(/content differs: /);
    // A relabelled mapped custom field changes its integration field too.
    expect(result.statuses).toEqual(['different', expect.any(String)]);

    await read();
    expect((await run()).statuses).toEqual(['equal', 'equal']);
  });
});
