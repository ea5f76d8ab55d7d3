// `kombo-sync sync --wait` against the real worker (apps/worker via test/worker-harness) and the sandbox, then
// `verify` of the mirror it produced.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { upsertIntegration } from '@kombo-sync/db';
import { createKomboClient } from '@kombo-sync/kombo';
import { memoryOutput, runSync, runVerify } from '@kombo-sync/cli/testing';
import { API_KEY, createHarness, type WorkerHarness } from '@kombo-sync/worker/testing';

let h: WorkerHarness;
beforeAll(async () => {
  h = await createHarness();
  h.startWorker();
});
afterAll(async () => {
  await h.close();
});

describe('sync --wait with the real worker', () => {
  it('waits for the full run, exits 0, and verify then finds the mirror equal to Kombo', async () => {
    const { id } = h.sandbox.createIntegration({ sizes: { employees: 40 } });
    await upsertIntegration(h.database, { id, tool: 'personio', category: 'HRIS', state: 'ACTIVE' });
    const out = memoryOutput();
    const deps = { db: h.database, request: h.request, out, pollMs: 50 };
    const code = await runSync(deps, { integrationId: id, full: true, wait: true, timeoutMs: 30_000 });
    expect(out.stderr).toEqual([]);
    expect(code).toBe(0);
    expect(out.stdout.join('\n')).toMatch(
      /run \d+ started \(full, trigger manual\)[\s\S]*Run \d+ succeeded\./,
    );

    const client = createKomboClient({ baseUrl: h.api.url, apiKey: API_KEY, maxRetries: 0 });
    const verifyOut = memoryOutput();
    const models = h.config.enabledModels?.join(',');
    expect(
      await runVerify({ db: h.database, source: client, out: verifyOut }, { integrationId: id, models }),
    ).toBe(0);
    expect(verifyOut.stdout.join('\n')).toMatch(/hris_employees: equal \(40 rows\)/);
  });
});
