// verify and the deleted-rows retention: a record Kombo serves deleted that the mirror purged is not a difference,
// until Kombo changes it again.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { purgeDeletedRows, startRun, upsertIntegration, writePage, type Database } from '@kombo-sync/db';
import { memoryOutput } from '../output.js';
import { createTestDatabase } from '../testing/queue-suite.js';
import { runVerify, type VerifyRecord, type VerifySource } from './verify.js';

const ID = 'personio:verify-purged';
const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString();
const live: VerifyRecord = { id: 'live', changed_at: daysAgo(50), remote_deleted_at: null, first_name: 'a' };
const gone: VerifyRecord = {
  id: 'gone',
  changed_at: daysAgo(45),
  remote_deleted_at: daysAgo(40),
  first_name: 'b',
};

let database: Database;
let drop: () => Promise<void>;

beforeAll(async () => {
  ({ database, drop } = await createTestDatabase());
  await upsertIntegration(database, { id: ID, tool: 'personio', category: 'HRIS' });
  const runId = await startRun(database, { integrationId: ID, kind: 'full', trigger: 'test' });
  await writePage(database, {
    integrationId: ID,
    model: 'hris_employees',
    records: [live, gone],
    komboFetchedAt: new Date(),
    runId,
    pageIndex: 0,
    isFullPass: true,
  });
  expect(await purgeDeletedRows(database, { retentionDays: 30 })).toBe(1);
});

afterAll(async () => {
  await drop();
});

const source = (records: VerifyRecord[]): VerifySource => ({
  async *pages() {
    yield { results: records };
  },
});

async function verify(records: VerifyRecord[]) {
  const out = memoryOutput();
  const code = await runVerify(
    { db: database, source: source(records), out },
    { integrationId: ID, models: 'hris_employees' },
  );
  return { code, text: out.stdout.join('\n') };
}

describe('verify after the deleted-rows retention', () => {
  it('leaves a purged record Kombo still serves deleted out of the comparison', async () => {
    const { code, text } = await verify([live, gone]);
    expect(code).toBe(0);
    expect(text).toContain('hris_employees: equal (1 rows)');
    expect(text).toContain('1 purged');
  });

  it('reports it missing once Kombo changed it again', async () => {
    const { code, text } = await verify([live, { ...gone, changed_at: daysAgo(1) }]);
    expect(code).toBe(1);
    expect(text).toContain('missing in mirror (1): gone');
  });
});
