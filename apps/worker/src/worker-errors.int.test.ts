import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { getIntegration, getRecentRuns, getSyncStates } from '@kombo-sync/db';
import { createLogger } from '@kombo-sync/logger';
import { createHarness, HRIS_TEST_MODELS, type WorkerHarness } from './testing/worker-harness.js';

const created = (id: string) => ({ id, tool: id.split(':')[0] ?? 'personio', category: 'HRIS' });

describe('sync worker: error paths', () => {
  let h: WorkerHarness;
  beforeAll(async () => {
    h = await createHarness({ notFoundGraceMs: 0 });
    h.startWorker();
  });
  afterAll(async () => {
    await h.close();
  });

  async function syncedIntegration(employees = 20): Promise<string> {
    const { id } = h.sandbox.createIntegration({ sizes: { employees } });
    await h.trigger(id, { created: created(id), full: true });
    await h.waitForIdle();
    return id;
  }

  it('key-wide 429: the queue is rate limited, then the job completes without using an attempt', async () => {
    const { id } = h.sandbox.createIntegration({ sizes: { employees: 10 } });
    // On a page (the new integration's state read from Kombo is best effort).
    h.sandbox.injectFault({ fault: 'rate_limit_key', integrationId: id, model: 'hris_employees', count: 1 });
    const jobId = await h.trigger(id, { created: created(id), full: true });
    await h.waitForIdle();
    const job = await h.getJob(jobId);
    expect(job?.finishedOn).toBeDefined();
    expect(job?.failedReason).toBeFalsy();
    expect(job?.attemptsMade).toBe(1); // the completing attempt only
    const runs = await getRecentRuns(h.database, id);
    expect(runs.map((run) => run.status)).toEqual(['succeeded', 'failed']);
    expect(runs[1]?.error).toContain('PLATFORM.RATE_LIMIT_EXCEEDED');
    await h.expectExact(id, HRIS_TEST_MODELS);
  });

  it.each([
    ['rate_limit_integration', 'REMOTE.RATE_LIMIT_EXCEEDED'],
    ['setup_pending', 'INTEGRATION.SETUP_SYNC_PENDING'],
  ] as const)('%s: only this job is delayed, then completes with attempts unchanged', async (fault, code) => {
    const { id } = h.sandbox.createIntegration({ sizes: { employees: 10 } });
    h.sandbox.injectFault({ fault, integrationId: id, count: 2 });
    const jobId = await h.trigger(id, { created: created(id), full: true });
    await h.waitForIdle();
    const job = await h.getJob(jobId);
    expect(job?.returnvalue).toMatchObject({ outcome: 'synced' });
    expect(job?.attemptsMade).toBe(1); // the completing attempt only
    const runs = await getRecentRuns(h.database, id);
    expect(runs[0]?.status).toBe('succeeded');
    expect(runs.slice(1).every((run) => run.error?.includes(code))).toBe(true);
    await h.expectExact(id, HRIS_TEST_MODELS);
  });

  it('5xx burst: the run fails, the job retries with backoff and completes', async () => {
    const { id } = h.sandbox.createIntegration({ sizes: { employees: 10 } });
    h.sandbox.injectFault({ fault: 'server_error', integrationId: id, count: 2 });
    const jobId = await h.trigger(id, { created: created(id), full: true });
    await h.waitForIdle();
    const job = await h.getJob(jobId);
    expect(job?.returnvalue).toMatchObject({ outcome: 'synced' });
    expect(job?.attemptsMade).toBeGreaterThanOrEqual(2);
    await h.expectExact(id, HRIS_TEST_MODELS);
  });

  it('model unavailable: the model is skipped with its reason, the others sync', async () => {
    const { id } = h.sandbox.createIntegration({ sizes: { employees: 10 } });
    h.sandbox.injectFault({ fault: 'model_unavailable', integrationId: id, model: 'hris_groups', count: 1 });
    await h.trigger(id, { created: created(id), full: true });
    await h.waitForIdle();
    const [run] = await getRecentRuns(h.database, id, 1);
    expect(run?.status).toBe('succeeded');
    expect(run?.counts['hris_groups']?.status).toBe('skipped');
    const states = await getSyncStates(h.database, id);
    expect(states.get('hris_groups')?.skippedReason).toContain('INTEGRATION.MODEL_NOT_AVAILABLE');
    await h.expectExact(id, ['hris_employees', 'hris_employments']);
  });

  it('malformed page: the model fails with the code, its watermark stays, the job fails after its attempts', async () => {
    // A page that is not JSON fails its model (one bad *record* is quarantined instead: worker-quarantine test).
    const id = await syncedIntegration();
    const before = (await getSyncStates(h.database, id)).get('hris_employees')?.watermark;
    h.sandbox.mutate(id, { updates: 3, models: ['hris_employees'] });
    h.sandbox.injectFault({
      fault: 'malformed_json',
      integrationId: id,
      model: 'hris_employees',
      count: 100,
    });
    const jobId = await h.trigger(id, { models: ['hris_employees', 'hris_groups'] });
    await h.waitForIdle();
    h.sandbox.core.faults.clear();
    const job = await h.getJob(jobId);
    expect(job?.failedReason).toContain('hris_employees');
    expect(job?.attemptsMade).toBe(h.config.jobAttempts);
    const state = (await getSyncStates(h.database, id)).get('hris_employees');
    expect(state?.watermark?.getTime()).toBe(before?.getTime());
    expect(state?.lastErrorCode).toBe('CLIENT.MALFORMED_JSON');
    // One failed run per attempt: hris_groups succeeded in the first, and its retries did not sync it again.
    const runs = (await getRecentRuns(h.database, id, h.config.jobAttempts)).reverse();
    expect(runs.map((run) => run.status)).toEqual(Array(h.config.jobAttempts).fill('failed'));
    expect(runs[0]?.counts['hris_groups']?.status).toBe('succeeded');
    expect(runs.slice(1).map((run) => Object.keys(run.counts))).toEqual(
      Array(h.config.jobAttempts - 1).fill(['hris_employees']),
    );
  });

  // The default grace (a flag first, rows and schedules kept) is covered in worker-lifecycle.int.test.ts.
  it('integration not found with no grace (SYNC_NOT_FOUND_GRACE_MS=0): state NOT_FOUND, schedules removed, job completed without retry', async () => {
    const id = await syncedIntegration(5);
    h.sandbox.deleteIntegration(id);
    const jobId = await h.trigger(id, { models: 'all' });
    await h.waitForIdle();
    const job = await h.getJob(jobId);
    expect(job?.returnvalue).toMatchObject({ outcome: 'integration-state', state: 'NOT_FOUND' });
    expect(job?.attemptsMade).toBe(1); // the completing attempt only
    expect((await getIntegration(h.database, id))?.state).toBe('NOT_FOUND');
    const schedulers = (await h.queue.getJobSchedulers()).map((s) => s.key);
    expect(schedulers).not.toContain(`sync:${id}`);
  });
});

describe('sync worker: invalid API key', () => {
  let h: WorkerHarness;
  beforeAll(async () => {
    h = await createHarness();
    h.startWorker({ kombo: { apiKey: 'wrong-key' } });
  });
  afterAll(async () => {
    await h.close();
  });

  it('401 fails the job fast with one attempt and a clear error', async () => {
    const { id } = h.sandbox.createIntegration({ sizes: { employees: 5 } });
    const jobId = await h.trigger(id, { created: created(id), full: true });
    await h.waitForIdle();
    const job = await h.getJob(jobId);
    expect(await job?.getState()).toBe('failed');
    expect(job?.attemptsMade).toBe(1);
    expect(job?.failedReason).toContain('API key');
    const [run] = await getRecentRuns(h.database, id, 1);
    expect(run?.status).toBe('failed');
  });
});

describe('sync worker: failed jobs in the logs', () => {
  let h: WorkerHarness;
  const lines: { msg?: string; jobId?: string; lane?: string; attemptsMade?: number }[] = [];
  beforeAll(async () => {
    h = await createHarness();
    const destination = new Writable({
      write(chunk, _encoding, done) {
        lines.push(JSON.parse(String(chunk)) as (typeof lines)[number]);
        done();
      },
    });
    h.startWorker({ logger: createLogger({ name: 'worker-test', level: 'warn', destination }) });
  });
  afterAll(async () => {
    await h.close();
  });

  it('logs each failed attempt of a delta-lane job once, with its lane', async () => {
    const { id } = h.sandbox.createIntegration({ sizes: { employees: 10 } });
    await h.trigger(id, { created: created(id), full: true });
    await h.waitForIdle();
    h.sandbox.injectFault({ fault: 'server_error', integrationId: id, count: 2 });
    const handle = await h.trigger(id, { models: ['hris_employees'], triggers: ['data-changed'] });
    expect(handle).toMatch(/^delta\//);
    await h.waitForIdle();
    const job = await h.getJob(handle);
    expect(job?.returnvalue).toMatchObject({ outcome: 'synced' });
    const failed = lines.filter((line) => line.msg === 'sync job failed' && line.jobId === job?.id);
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.length).toBe((job?.attemptsMade ?? 0) - 1);
    expect(new Set(failed.map((line) => line.attemptsMade)).size).toBe(failed.length);
    expect(failed.every((line) => line.lane === 'delta')).toBe(true);
  });
});
