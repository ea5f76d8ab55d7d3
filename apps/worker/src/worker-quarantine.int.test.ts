// Poison records end to end: a real worker syncs from the sandbox, which serves raw record texts Postgres refuses
// or the schema rejects; the model still succeeds and the records wait in quarantine until they arrive clean.
import { createHash, randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  countQuarantinedByReason,
  getRecentRuns,
  getSyncStates,
  listIntegrationStatus,
  loadIntegrationStatus,
  MAX_ERROR_TEXT_LENGTH,
} from '@kombo-sync/db';
import { createLogger } from '@kombo-sync/logger';
import { collectQuarantinedRecords, createMetrics } from '@kombo-sync/metrics';
import { sql } from 'drizzle-orm';
import { parseExposition, sampleValue } from '@kombo-sync/metrics/testing';
import { createHarness, type WorkerHarness } from './testing/worker-harness.js';

const created = (id: string) => ({ id, tool: id.split(':')[0] ?? 'personio', category: 'HRIS' });

interface QuarantineSqlRow {
  record_id: string;
  reason_code: string;
  reason: string;
  attempts: number;
}

async function quarantine(h: WorkerHarness, integrationId: string): Promise<Map<string, QuarantineSqlRow>> {
  const { rows } = await h.database.pool.query<QuarantineSqlRow>(
    `SELECT record_id, reason_code, reason, attempts FROM quarantined_records WHERE integration_id = $1`,
    [integrationId],
  );
  return new Map(rows.map((row) => [row.record_id, row]));
}

/** The sandbox's current version of `recordId` as JSON text, `extra` (raw JSON members) spliced in at the end. */
function textOf(record: Record<string, unknown>, changes: Record<string, unknown>, extra = ''): string {
  const json = JSON.stringify({ ...record, ...changes });
  return extra === '' ? json : `${json.slice(0, -1)},${extra}}`;
}

describe('sync worker: poison records are quarantined, never block a model', () => {
  let h: WorkerHarness;
  const metrics = createMetrics({ service: 'worker' });
  beforeAll(async () => {
    // No overlap: the second delta's updated_after lies after the poisoned records' changed_at, so only the
    // quarantine retry (by id) can bring them back.
    h = await createHarness({ overlapMs: 0 });
    h.startWorker({ metrics });
  });
  afterAll(async () => {
    await h.close();
  });

  it('a delta with poison records succeeds, quarantines them visibly, and the next delta clears them', async () => {
    const { id } = h.sandbox.createIntegration({ sizes: { employees: 12 } });
    await h.trigger(id, { created: created(id), full: true });
    await h.waitForIdle();
    const before = (await getSyncStates(h.database, id)).get('hris_employees')?.watermark;
    if (!before) throw new Error('no watermark after the full sync');

    h.sandbox.setClockSkew(5_000);
    h.sandbox.mutate(id, { updates: 4, models: ['hris_employees'] });
    const changed = h.sandbox
      .truth(id, 'hris_employees')
      .filter((record) => Date.parse(record['changed_at'] as string) > before.getTime());
    expect(changed.length).toBeGreaterThanOrEqual(4);
    const [refused, rejected, sanitized, clean] = changed as [
      Record<string, unknown>,
      Record<string, unknown>,
      Record<string, unknown>,
      Record<string, unknown>,
    ];
    const ids = { refused: String(refused['id']), rejected: String(rejected['id']) };
    const sanitizedId = String(sanitized['id']);
    // Postgres refuses these (year 0 in a timestamptz column, a number beyond numeric); zod accepts them.
    h.sandbox.poisonRecord({
      integrationId: id,
      model: 'hris_employees',
      recordId: ids.refused,
      text: textOf(refused, { date_of_birth: '0000-01-01T00:00:00Z' }, '"huge":1e1000000'),
    });
    // The schema rejects this one (weekly_hours must be a number).
    h.sandbox.poisonRecord({
      integrationId: id,
      model: 'hris_employees',
      recordId: ids.rejected,
      text: textOf(rejected, { weekly_hours: 'forty-secret' }),
    });
    // Stored with U+FFFD: a lone surrogate in a value, a NUL in a key.
    h.sandbox.poisonRecord({
      integrationId: id,
      model: 'hris_employees',
      recordId: sanitizedId,
      text: textOf(sanitized, {}, '"nick":"a\\ud800b","k\\u0000":1'),
    });

    h.sandbox.setClockSkew(8_000);
    const jobId = await h.trigger(id, { models: ['hris_employees'] });
    await h.waitForIdle();
    const job = await h.getJob(jobId);
    expect(job?.returnvalue).toMatchObject({ outcome: 'synced' });
    const [run] = await getRecentRuns(h.database, id, 1);
    expect(run?.status).toBe('succeeded');
    expect(run?.counts['hris_employees']).toMatchObject({ status: 'succeeded', quarantined: 2 });
    const state = (await getSyncStates(h.database, id)).get('hris_employees');
    expect(state?.watermark?.getTime()).toBeGreaterThan(before.getTime());
    expect(state?.lastErrorCode).toBeNull();

    const rows = await quarantine(h, id);
    expect([...rows.keys()].sort()).toEqual([ids.refused, ids.rejected].sort());
    const refusedRow = rows.get(ids.refused);
    expect(refusedRow?.reason_code).toMatch(/^22\w{3}$/);
    expect(refusedRow?.reason).toContain(`SQLSTATE ${refusedRow?.reason_code}`);
    expect(refusedRow?.reason).toContain(ids.refused);
    expect(refusedRow?.reason).not.toMatch(/0000-01-01|1e1000000|INSERT|params/);
    expect(refusedRow?.reason).not.toContain(String(refused['first_name']));
    const rejectedRow = rows.get(ids.rejected);
    expect(rejectedRow?.reason_code).toBe('CLIENT.SCHEMA_VIOLATION');
    expect(rejectedRow?.reason).toMatch(/breaks the schema at field weekly_hours/);
    expect(rejectedRow?.reason).toContain(ids.rejected);
    expect(rejectedRow?.reason).not.toContain('forty-secret');

    const mirror = await h.mirror(id, 'hris_employees');
    expect(mirror.get(sanitizedId)?.raw).toMatchObject({ nick: 'a\uFFFDb', 'k\uFFFD': 1 });
    expect(mirror.get(String(clean['id']))?.raw).toEqual(clean);

    // Visible in status and metrics.
    const clock = { now: new Date(), lagThresholdMs: 3_600_000 };
    const page = await listIntegrationStatus(h.database, { ...clock, filters: ['quarantined'], search: id });
    expect(page.integrations.find((s) => s.id === id)).toMatchObject({ quarantined: 2 });
    const detail = await loadIntegrationStatus(h.database, id, clock);
    expect(detail?.models.find((m) => m.model === 'hris_employees')?.quarantined).toBe(2);
    await collectQuarantinedRecords(() => countQuarantinedByReason(h.database), metrics.quarantinedRecords);
    const exposition = parseExposition(await metrics.registry.metrics());
    const gauge = 'kombo_sync_quarantined_records';
    expect(sampleValue(exposition, gauge, { model: 'hris_employees', reason_class: 'data' })).toBe(1);
    expect(sampleValue(exposition, gauge, { model: 'hris_employees', reason_class: 'schema' })).toBe(1);
    expect(
      sampleValue(exposition, 'kombo_sync_records_written_total', {
        model: 'hris_employees',
        outcome: 'quarantined',
      }),
    ).toBe(2);

    // Kombo serves the records clean again: the next delta re-fetches them by id and stores them.
    h.sandbox.clearPoison(id);
    h.sandbox.setClockSkew(12_000);
    const watermark = (await getSyncStates(h.database, id)).get('hris_employees')?.watermark?.getTime() ?? 0;
    for (const record of [refused, rejected])
      expect(Date.parse(record['changed_at'] as string)).toBeLessThan(watermark);
    await h.trigger(id, { models: ['hris_employees'] });
    await h.waitForIdle();
    expect((await quarantine(h, id)).size).toBe(0);
    const after = await h.mirror(id, 'hris_employees');
    const truth = new Map(h.sandbox.truth(id, 'hris_employees').map((record) => [record['id'], record]));
    expect(after.get(ids.refused)?.raw).toEqual(truth.get(ids.refused));
    expect(after.get(ids.rejected)?.raw).toEqual(truth.get(ids.rejected));
    expect((await getRecentRuns(h.database, id, 1))[0]?.status).toBe('succeeded');
    h.sandbox.setClockSkew(0);
  });

  it('a full pass does not mark a quarantined record deleted (it still reconciles the rest)', async () => {
    const { id } = h.sandbox.createIntegration({ sizes: { employees: 8 } });
    await h.trigger(id, { created: created(id), full: true });
    await h.waitForIdle();
    const truth = h.sandbox.truth(id, 'hris_employees');
    const poisoned = truth[0] as Record<string, unknown>;
    const poisonedId = String(poisoned['id']);
    h.sandbox.poisonRecord({
      integrationId: id,
      model: 'hris_employees',
      recordId: poisonedId,
      text: textOf(poisoned, { date_of_birth: '0000-01-01T00:00:00Z' }),
    });
    const store = h.sandbox.core.require(id).store('hris_employees');
    if (!store) throw new Error('no employees store');
    store.size -= 1;
    const vanished = String(truth.at(-1)?.['id']);
    // Kombo's Date header has 1 s resolution: rows fetched in the pass's own second are never reconciled.
    h.sandbox.setClockSkew(5_000);
    await h.trigger(id, { models: ['hris_employees'], full: true });
    await h.waitForIdle();
    h.sandbox.setClockSkew(0);
    h.sandbox.clearPoison(id);
    expect([...(await quarantine(h, id)).keys()]).toEqual([poisonedId]);
    const rows = await h.mirror(id, 'hris_employees');
    expect(rows.get(poisonedId)?.remoteDeletedAt).toBeNull();
    expect(rows.get(vanished)?.remoteDeletedAt).not.toBeNull();
    const [run] = await getRecentRuns(h.database, id, 1);
    expect(run?.status).toBe('succeeded');
    expect(run?.counts['hris_employees']).toMatchObject({ quarantined: 1, deleted: 1 });
  });

  it('an id too long to store or refetch is quarantined under a hashed key; the page’s other poison too', async () => {
    const { id } = h.sandbox.createIntegration({ sizes: { employees: 10 } });
    const [a, b, c, d] = h.sandbox.truth(id, 'hris_employees') as Record<string, unknown>[];
    // 4 KB of random text: no btree index takes it. 20 KB of one letter compresses into an index, but no URL takes it.
    const fourKb = randomBytes(2_048).toString('hex');
    const twentyKb = 'x'.repeat(20_000);
    const poison = (record: Record<string, unknown> | undefined, text: string) =>
      h.sandbox.poisonRecord({
        integrationId: id,
        model: 'hris_employees',
        recordId: String(record?.['id']),
        text,
      });
    poison(a, textOf(a!, { id: fourKb }));
    poison(b, textOf(b!, { id: twentyKb, weekly_hours: 'forty' }));
    poison(c, textOf(c!, { date_of_birth: '0000-01-01T00:00:00Z' }));
    poison(d, textOf(d!, { weekly_hours: 'forty' }));
    const hashOf = (recordId: string) => `sha256:${createHash('sha256').update(recordId).digest('hex')}`;

    await h.trigger(id, { created: created(id), full: true });
    await h.waitForIdle();
    const [first] = await getRecentRuns(h.database, id, 1);
    expect(first?.status).toBe('succeeded');
    expect(first?.counts['hris_employees']).toMatchObject({ status: 'succeeded', quarantined: 4 });
    const rows = await quarantine(h, id);
    expect([...rows.keys()].sort()).toEqual(
      [hashOf(fourKb), hashOf(twentyKb), String(c?.['id']), String(d?.['id'])].sort(),
    );
    expect(rows.get(hashOf(fourKb))).toMatchObject({ reason_code: 'SYNC.ID_TOO_LONG' });
    expect(rows.get(hashOf(fourKb))?.reason).toMatch(/record id of 4096 bytes is longer than the 512 bytes/);
    expect(rows.get(hashOf(twentyKb))).toMatchObject({ reason_code: 'CLIENT.SCHEMA_VIOLATION' });
    expect(rows.get(String(c?.['id']))?.reason_code).toMatch(/^22\w{3}$/);
    const { rows: hashed } = await h.database.pool.query<{ record_id: string }>(
      'SELECT record_id FROM quarantined_records WHERE integration_id = $1 AND record_id_hashed',
      [id],
    );
    expect(hashed.map((row) => row.record_id).sort()).toEqual([hashOf(fourKb), hashOf(twentyKb)].sort());

    // The next passes retry the storable ids by id and never put a long one in a URL; they succeed.
    h.sandbox.setClockSkew(5_000);
    await h.trigger(id, { models: ['hris_employees'], full: true });
    await h.waitForIdle();
    const [second] = await getRecentRuns(h.database, id, 1);
    expect(second?.status).toBe('succeeded');
    expect((await quarantine(h, id)).size).toBe(4);

    // Kombo no longer serves them: the storable ones are released by their refetch, the hashed ones by the first
    // complete full pass that no longer sees them.
    h.sandbox.clearPoison(id);
    h.sandbox.setClockSkew(10_000);
    await h.trigger(id, { models: ['hris_employees'], full: true });
    await h.waitForIdle();
    h.sandbox.setClockSkew(0);
    const [third] = await getRecentRuns(h.database, id, 1);
    expect(third?.status).toBe('succeeded');
    expect((await quarantine(h, id)).size).toBe(0);
    const mirror = await h.mirror(id, 'hris_employees');
    for (const record of [a, b, c, d]) expect(mirror.get(String(record?.['id']))?.raw).toEqual(record);
    for (const key of mirror.keys()) expect(Buffer.byteLength(key)).toBeLessThanOrEqual(512);
  });
});

describe('sync worker: store errors are stored and logged safely', () => {
  let h: WorkerHarness;
  const lines: string[] = [];
  const SECRET = 'Ada-Secret-Value';
  beforeAll(async () => {
    h = await createHarness({ jobAttempts: 2 });
    const destination = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    h.startWorker({
      logger: createLogger({ name: 'worker-test', level: 'debug', destination }),
      // A handler whose query Postgres refuses, with personal data and a huge parameter: the raw error (drizzle's
      // "Failed query: <sql> params: <params>") would be ~300 KB.
      handlers: {
        hris_employees: async ({ tx }) => {
          await tx.execute(sql`SELECT ${`${SECRET}-${'x'.repeat(300_000)}`}::int AS n`);
        },
      },
    });
  });
  afterAll(async () => {
    await h.close();
  });

  it('sync_state, sync_runs, the job failedReason and the logs carry Postgres reason, bounded, no SQL or data', async () => {
    const { id } = h.sandbox.createIntegration({ sizes: { employees: 5 } });
    const jobId = await h.trigger(id, { created: created(id), full: true });
    await h.waitForIdle();
    const job = await h.getJob(jobId);
    const state = (await getSyncStates(h.database, id)).get('hris_employees');
    const [run] = await getRecentRuns(h.database, id, 1);
    expect(state?.lastErrorCode).toBe('22P02');
    const texts = {
      lastErrorMessage: state?.lastErrorMessage ?? '',
      runError: run?.error ?? '',
      runModelError: run?.counts['hris_employees']?.error ?? '',
      failedReason: job?.failedReason ?? '',
    };
    for (const [where, text] of Object.entries(texts)) {
      expect([where, text.length <= MAX_ERROR_TEXT_LENGTH]).toEqual([where, true]);
      expect([where, text]).toEqual([where, expect.stringContaining('SQLSTATE 22P02')]);
      expect([where, text]).toEqual([
        where,
        expect.stringContaining('invalid input syntax for type integer'),
      ]);
      expect([where, /Ada-Secret|xxxxxxxx|Failed query|params|SELECT/.test(text)]).toEqual([where, false]);
    }
    expect(job?.attemptsMade).toBe(2);
    const logged = lines.join('');
    expect(logged).toContain('SQLSTATE 22P02');
    expect(logged).not.toMatch(/Ada-Secret|xxxxxxxx|Failed query:(?! \(query text not logged\))/);
    for (const line of lines) expect(line.length).toBeLessThan(10_000);
  });
});
