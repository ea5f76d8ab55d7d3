import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { countChangeOutbox, getRecentRuns, getSyncStates } from '@kombo-sync/db';
import { CHANGES_QUEUE, type ChangeMessage } from '@kombo-sync/queue';
import { Queue } from 'bullmq';
import { sql } from 'drizzle-orm';
import { handlers, isActiveEmployee } from '../../../examples/people-handler.js';
import { createHarness, HRIS_TEST_MODELS, type WorkerHarness } from './testing/worker-harness.js';

const created = (id: string) => ({ id, tool: id.split(':')[0] ?? 'personio', category: 'HRIS' });

let h: WorkerHarness;
let changes: Queue;
beforeAll(async () => {
  // The feed is off unless configured (CHANGE_FEED=on); these tests read it.
  h = await createHarness({ isChangeFeedOn: true });
  h.startWorker({ handlers });
  changes = new Queue(CHANGES_QUEUE, { connection: h.redis, prefix: h.prefix });
});
afterAll(async () => {
  await changes.close();
  await h.close();
});

async function feed(integrationId: string): Promise<ChangeMessage[]> {
  const deadline = Date.now() + 10_000;
  while ((await countChangeOutbox(h.database)) > 0 && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 50));
  const jobs = await changes.getJobs(['waiting', 'completed']);
  return jobs
    .map((job) => job.data as ChangeMessage)
    .filter((message) => message.integrationId === integrationId);
}

describe('change feed, reconciliation and handlers', () => {
  it('the change feed carries the changed and deleted ids; the people table follows hris_employees', async () => {
    const { id } = h.sandbox.createIntegration({ sizes: { employees: 25 } });
    await h.trigger(id, { created: created(id), full: true });
    await h.waitForIdle();
    const first = await feed(id);
    const employees = h.sandbox.truth(id, 'hris_employees');
    const fed = new Set(first.filter((m) => m.model === 'hris_employees').flatMap((m) => m.changedIds));
    expect(fed).toEqual(
      new Set(employees.filter((r) => r['remote_deleted_at'] === null).map((r) => r['id'])),
    );

    h.sandbox.mutate(id, { updates: 2, deletes: 2, models: ['hris_employees'] });
    await h.trigger(id, { models: ['hris_employees'] });
    await h.waitForIdle();
    const [run] = await getRecentRuns(h.database, id, 1);
    const after = (await feed(id)).filter((message) => message.runId === run?.id);
    const truth = h.sandbox.truth(id, 'hris_employees');
    const deletedNow = truth.filter((r) => r['remote_deleted_at'] !== null).map((r) => r['id']);
    expect(new Set(after.flatMap((m) => m.deletedIds))).toEqual(new Set(deletedNow));
    expect(after.flatMap((m) => m.changedIds).length).toBeGreaterThan(0);

    const people = await h.database.db.execute<{ employee_id: string; name: string | null }>(
      sql`SELECT employee_id, name FROM people WHERE integration_id = ${id}`,
    );
    const expected = truth.filter((record) => isActiveEmployee(record as never)).map((r) => r['id']);
    expect(new Set(people.rows.map((row) => row.employee_id))).toEqual(new Set(expected));
  });

  it('full-sync reconciliation deletes only what vanished, and nothing after a failed pass', async () => {
    const { id } = h.sandbox.createIntegration({ sizes: { employees: 30 } });
    await h.trigger(id, { created: created(id), full: true });
    await h.waitForIdle();
    // Vanish the two last employees from the source entirely (not soft-deleted): only a full pass can notice.
    const before = h.sandbox.truth(id, 'hris_employees').map((record) => record['id'] as string);
    const store = h.sandbox.core.require(id).store('hris_employees');
    if (!store) throw new Error('no employees store');
    store.size -= 2;
    const remaining = new Set(h.sandbox.truth(id, 'hris_employees').map((record) => record['id'] as string));
    const vanished = before.filter((employeeId) => !remaining.has(employeeId));
    expect(vanished).toHaveLength(2);

    // A failed full pass (its pages are not JSON on every attempt) must not reconcile. (A schema-breaking record no
    // longer fails a pass: it is quarantined, see worker-quarantine.int.test.ts.)
    h.sandbox.injectFault({
      fault: 'malformed_json',
      integrationId: id,
      model: 'hris_employees',
      count: 100,
    });
    await h.trigger(id, { models: 'all', full: true });
    await h.waitForIdle();
    h.sandbox.core.faults.clear();
    let rows = await h.mirror(id, 'hris_employees');
    expect(vanished.every((employeeId) => rows.get(employeeId)?.remoteDeletedAt === null)).toBe(true);

    // Kombo's Date header has 1 s resolution: rows fetched in the pass's own second are never reconciled, so the
    // sandbox clock moves on (as it would between real full syncs, days apart).
    h.sandbox.setClockSkew(5_000);
    await h.trigger(id, { models: 'all', full: true });
    await h.waitForIdle();
    h.sandbox.setClockSkew(0);
    rows = await h.mirror(id, 'hris_employees');
    const deleted = [...rows.values()].filter((row) => row.remoteDeletedAt !== null).map((row) => row.id);
    expect(new Set(deleted)).toEqual(new Set(vanished));
    const [run] = await getRecentRuns(h.database, id, 1);
    expect(run?.status).toBe('succeeded');
    expect((await getSyncStates(h.database, id)).get('hris_employees')?.lastFullSyncAt).toBeTruthy();
  });

  it('a change during a running sync lands (its intent runs after the active job)', async () => {
    const { id } = h.sandbox.createIntegration({ sizes: { employees: 40 } });
    h.sandbox.setFaults({ probability: { latency: 1 }, integrationIds: [id], latencyMs: 30 });
    await h.trigger(id, { created: created(id), full: true });
    // Wait until the job is active, then change data and "deliver the webhook".
    const deadline = Date.now() + 10_000;
    while ((await h.countJobs('active')) === 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 10));
    h.sandbox.mutate(id, { updates: 3, creates: 2, models: ['hris_employees'] });
    await h.trigger(id, { models: ['hris_employees'], triggers: ['data-changed'] });
    await h.waitForIdle();
    h.sandbox.setFaults({});
    await h.expectExact(id, HRIS_TEST_MODELS);
  });
});
