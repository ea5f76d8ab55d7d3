// SYNC_STORE_REMOTE_DATA=false: the worker drops remote_data before storing, and `kombo-sync verify` compares
// Kombo's records without it, so the mirror still verifies equal.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { modelTables } from '@kombo-sync/db';
import { createKomboClient } from '@kombo-sync/kombo';
import { getTableName } from 'drizzle-orm';
import { EXIT, memoryOutput, runVerify } from '@kombo-sync/cli/testing';
import {
  API_KEY,
  createdIntent,
  createHarness,
  HRIS_TEST_MODELS,
  type WorkerHarness,
} from '@kombo-sync/worker/testing';

let h: WorkerHarness;
beforeAll(async () => {
  h = await createHarness({ shouldStoreRemoteData: false });
  h.startWorker();
});
afterAll(async () => {
  await h.close();
});

describe('SYNC_STORE_REMOTE_DATA=false', () => {
  it('stores no remote_data at any depth, and verify still finds the mirror equal to Kombo', async () => {
    const { id } = h.sandbox.createIntegration({ sizes: { employees: 40 } });
    await h.trigger(id, createdIntent(id));
    await h.waitForIdle();
    h.sandbox.mutate(id, { updates: 3, nestedUpdates: 3, models: ['hris_employees', 'hris_employments'] });
    await h.trigger(id, { models: ['hris_employees', 'hris_employments'], triggers: ['data-changed'] });
    await h.waitForIdle();

    for (const model of HRIS_TEST_MODELS) {
      const table = getTableName(modelTables[model]);
      const { rows } = await h.database.pool.query<{ total: number; withRemoteData: number }>(
        `SELECT count(*)::int AS total,
                count(*) FILTER (WHERE raw::text LIKE '%"remote_data"%')::int AS "withRemoteData"
           FROM "${table}" WHERE integration_id = $1`,
        [id],
      );
      expect({ model, ...rows[0] }).toEqual({ model, total: expect.any(Number), withRemoteData: 0 });
      expect(rows[0]?.total).toBeGreaterThan(0);
    }

    const source = createKomboClient({ baseUrl: h.api.url, apiKey: API_KEY, maxRetries: 0 });
    const verify = (shouldStripRemoteData: boolean) =>
      runVerify(
        { db: h.database, source, out: memoryOutput(), shouldStripRemoteData },
        { integrationId: id, models: HRIS_TEST_MODELS.join(',') },
      );
    try {
      expect(await verify(true)).toBe(EXIT.ok);
      // Kombo's records do carry remote_data: compared as sent, they differ from the stripped mirror.
      expect(await verify(false)).toBe(EXIT.failure);
    } finally {
      source.close();
    }
  });
});
