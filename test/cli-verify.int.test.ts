// `kombo-sync verify` end to end: a sandbox (apps/sandbox) as Kombo, the real Kombo client, a mirror filled with
// packages/db writePage from client pages (the worker's write path), then tampered with.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ModelName } from '@kombo-sync/catalog';
import { quarantineRecords, startRun, upsertIntegration, writePage, type Database } from '@kombo-sync/db';
import { createKomboClient, type KomboClient } from '@kombo-sync/kombo';
import { runVerify } from '../apps/cli/src/commands/verify.js';
import { memoryOutput } from '../apps/cli/src/output.js';
import { createTestDatabase } from '../apps/cli/src/test-support.js';
import { createSandbox, type RunningSandbox, type Sandbox } from '../apps/sandbox/src/index.js';

const API_KEY = 'cli-verify-test-key';
const HRIS: ModelName[] = ['hris_employees', 'hris_employments', 'hris_groups', 'hris_locations'];
let sandbox: Sandbox;
let running: RunningSandbox;
let client: KomboClient;
let database: Database;
let drop: () => Promise<void>;
let integrationId: string;

beforeAll(async () => {
  sandbox = createSandbox({ apiKey: API_KEY, seed: 7 });
  running = await sandbox.listen(0);
  client = createKomboClient({ baseUrl: running.url, apiKey: API_KEY, maxRetries: 0 });
  ({ database, drop } = await createTestDatabase());
  integrationId = sandbox.createIntegration({ category: 'HRIS', sizes: { employees: 300 } }).id;
  sandbox.mutate(integrationId, { deletes: 5, models: ['hris_employees'] });
  await upsertIntegration(database, {
    id: integrationId,
    tool: 'personio',
    category: 'HRIS',
    state: 'ACTIVE',
  });
  const runId = await startRun(database, { integrationId, kind: 'full', trigger: 'manual' });
  for (const model of HRIS) {
    for await (const page of client.pages(model, { integrationId, includeDeleted: true })) {
      await writePage(database, {
        integrationId,
        model,
        records: page.results,
        komboFetchedAt: page.komboTime,
        runId,
        isFullPass: false,
      });
    }
  }
});

afterAll(async () => {
  await running.close();
  await drop();
});

const verify = async (json = false) => {
  const out = memoryOutput();
  const code = await runVerify(
    { db: database, source: client, out },
    { integrationId, models: HRIS.join(','), json },
  );
  return { code, text: out.stdout.join('\n') };
};

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
});
