import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { events, SECRET, startHarness, type IngressHarness } from '../testing/ingress-harness.js';
import { QUEUE_DATA_VERSION } from '@kombo-sync/queue';

let h: IngressHarness;
const counted: { environment: string; type: string; outcome: string }[] = [];
beforeAll(async () => {
  h = await startHarness({
    config: { bodyLimitBytes: 2048, webhookSecrets: ['whsec_new_secret', SECRET] },
    metrics: {
      registry: { contentType: 'text/plain; version=0.0.4', metrics: async () => 'kombo_up 1\n' },
      webhooks: { inc: (labels) => counted.push(labels) },
    },
  });
});
afterAll(() => h.close());

async function expectError(res: Response, status: number, code: string): Promise<string> {
  expect(res.status).toBe(status);
  const body = (await res.json()) as { error: { code: string; message: string } };
  expect(body).toEqual({ error: { code, message: expect.any(String) } });
  return body.error.message;
}

describe('POST /webhooks/kombo: accepted events', () => {
  it('data-changed: records the mapped models, one job carrying the request id; unknown names are logged', async () => {
    const res = await h.post(
      events.dataChanged('int-dc', ['hris_employees', 'hris_absences', 'lms_courses', 'brand_new_model']),
      {
        headers: { 'x-request-id': 'req-dc-1' },
      },
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
    expect(res.headers.get('x-request-id')).toBe('req-dc-1');
    expect(await h.waitingIntegrations()).toContain('int-dc');
    const [job] = (await h.queue.getWaiting()).filter((j) => j.data.integrationId === 'int-dc');
    expect(job?.data).toEqual({ v: QUEUE_DATA_VERSION, integrationId: 'int-dc', requestId: 'req-dc-1' });
    expect(await h.intent('int-dc')).toEqual({
      // Performance reviews embed employees (reviewee, reviewer), and their updated_after follows them.
      models: ['hris_employees', 'hris_absences', 'hris_performance_reviews', 'lms_courses'],
      full: false,
      triggers: ['data-changed'],
      requestIds: ['req-dc-1'],
    });
    expect(h.logs.join('')).toContain('brand_new_model');
    expect(h.logs.join('')).not.toContain('lms_courses');
  });

  it('data-changed with no synced model: 200, no job, no intent', async () => {
    expect((await h.post(events.dataChanged('int-none', ['brand_new_model']))).status).toBe(200);
    expect(await h.intent('int-none')).toBeNull();
    expect(await h.waitingIntegrations()).not.toContain('int-none');
  });

  it('sync-finished SUCCEEDED / PARTIALLY_FAILED and remote-event-received ask for all models', async () => {
    for (const [id, body] of [
      ['int-sf', events.syncFinished('int-sf', 'SUCCEEDED')],
      ['int-pf', events.syncFinished('int-pf', 'PARTIALLY_FAILED')],
      ['int-rer', events.remoteEventReceived('int-rer')],
    ] as const) {
      expect((await h.post(body)).status).toBe(200);
      expect((await h.intent(id))?.models).toBe('all');
    }
    expect(await h.waitingIntegrations()).toEqual(expect.arrayContaining(['int-pf', 'int-rer', 'int-sf']));
  });

  it('sync-finished in another state: 200, its outcome queued for recording with its log_url, no sync job', async () => {
    const body = events.syncFinished('int-failed', 'FAILED');
    expect((await h.post(body)).status).toBe(200);
    expect(await h.intent('int-failed')).toBeNull();
    expect(await h.waitingIntegrations()).not.toContain('int-failed');
    expect((await h.signals.getJob(`signal-${body.id}`))?.data).toEqual({
      v: QUEUE_DATA_VERSION,
      eventId: body.id,
      signal: {
        kind: 'sync-finished',
        integrationId: 'int-failed',
        syncId: 's1',
        syncState: 'FAILED',
        endedAt: '2026-01-01T12:30:00.000Z',
        logUrl: 'https://app.kombo.dev/env/test/logs/s1',
      },
    });
    // Kombo retries the webhook: the same job, nothing new.
    expect((await h.post(body)).status).toBe(200);
    const queued = await h.signals.getJobs(['waiting']);
    expect(queued.filter((job) => job.data.eventId === body.id)).toHaveLength(1);
  });

  it('integration-state-changed: the state goes into the intent and is queued for recording at once', async () => {
    const body = events.integrationStateChanged('int-state', 'INVALID');
    expect((await h.post(body)).status).toBe(200);
    expect((await h.intent('int-state'))?.state).toEqual(body.data);
    expect((await h.signals.getJob(`signal-${body.id}`))?.data.signal).toEqual({
      kind: 'state',
      integrationId: 'int-state',
      state: 'INVALID',
      setupStatus: 'COMPLETED',
      qaStatus: 'PASSED',
      updatedAt: '2026-01-02T00:00:00.000Z',
    });
  });

  it('integration lifecycle events record created (full), deleted and state; the later of created/deleted wins', async () => {
    const created = events.integrationCreated('int-life');
    const state = events.integrationStateChanged('int-life', 'INACTIVE');
    const deleted = events.integrationDeleted('int-life');
    expect((await h.post(created)).status).toBe(200);
    expect(await h.intent('int-life')).toMatchObject({ full: true, created: created.data });
    for (const body of [state, deleted]) expect((await h.post(body)).status).toBe(200);
    const intent = await h.intent('int-life');
    expect(intent).toMatchObject({
      full: true,
      state: state.data,
      deleted: deleted.data,
      triggers: ['integration-created', 'integration-state-changed', 'integration-deleted'],
    });
    expect(intent?.created).toBeUndefined();
    expect((await h.waitingIntegrations()).filter((id) => id === 'int-life')).toHaveLength(1);
  });

  it('connection-flow-failed: queued for recording, no sync job; unknown types: 200, nothing', async () => {
    const before = await h.waitingIntegrations();
    const flow = events.connectionFlowFailed();
    expect((await h.post(flow)).status).toBe(200);
    expect((await h.signals.getJob(`signal-${flow.id}`))?.data.signal).toEqual({
      kind: 'connection-flow-failed',
      tool: 'personio',
      category: 'HRIS',
      originId: '1',
      organizationName: 'Acme, Inc.',
      creatorEmail: 'it@example.com',
      logUrl: 'https://app.kombo.dev/env/test/logs?flowId=f1',
    });
    expect(counted).toContainEqual({
      environment: 'default',
      type: 'connection-flow-failed',
      outcome: 'recorded',
    });
    expect(
      (await h.post({ id: 'u1', type: 'assessment:order-received', data: { integration_id: 'x' } })).status,
    ).toBe(200);
    expect(await h.waitingIntegrations()).toEqual(before);
    expect(counted).toContainEqual({
      environment: 'default',
      type: 'assessment:order-received',
      outcome: 'ignored',
    });
  });
});

describe('POST /webhooks/kombo: rejected requests queue nothing', () => {
  it('401 for a missing or wrong signature, revealing nothing about the expected one', async () => {
    const body = JSON.stringify(events.dataChanged('int-401', ['hris_employees']));
    const missing = await fetch(`${h.url}/webhooks/kombo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    await expectError(missing, 401, 'SIGNATURE_MISSING');
    const wrong = await h.post(body, { secret: 'not-the-secret' });
    const message = await expectError(wrong, 401, 'SIGNATURE_INVALID');
    expect(message).not.toMatch(/[A-Za-z0-9_-]{43}/);
    expect(await h.intent('int-401')).toBeNull();
    expect(await h.waitingIntegrations()).not.toContain('int-401');
    expect(counted).toContainEqual({
      environment: 'default',
      type: 'unverified',
      outcome: 'signature_invalid',
    });
  });

  it('accepts every configured secret during a rotation', async () => {
    expect((await h.post(events.dataChanged('int-rot-old', ['ats_jobs']), { secret: SECRET })).status).toBe(
      200,
    );
    const viaNew = await h.post(events.dataChanged('int-rot-new', ['ats_jobs']), {
      secret: 'whsec_new_secret',
    });
    expect(viaNew.status).toBe(200);
    expect(await h.waitingIntegrations()).toEqual(expect.arrayContaining(['int-rot-new', 'int-rot-old']));
  });

  it('400 for malformed JSON and for a payload that breaks its schema, naming the problem', async () => {
    await expectError(await h.post('{"id": "x", "type": '), 400, 'JSON_INVALID');
    const bad = events.dataChanged('int-400', ['hris_employees']) as { data: Record<string, unknown> };
    delete bad.data.integration_id;
    const message = await expectError(await h.post(bad), 400, 'PAYLOAD_INVALID');
    expect(message).toContain('integration_id');
    expect(await h.intent('int-400')).toBeNull();
  });

  it('400 for an integration id with a NUL or another control character, or too long, naming the field', async () => {
    const jobsBefore = await h.queue.count();
    const cases = [
      [events.dataChanged('personio:a\u0000b', ['hris_employees']), 'data.integration_id'],
      [events.dataChanged('personio:a\u0007b', ['hris_employees']), 'data.integration_id'],
      [events.remoteEventReceived('personio:a\nb'), 'data.integration_id'],
      [events.syncFinished('personio:a\u009fb', 'SUCCEEDED'), 'data.integration_id'],
      [events.integrationStateChanged('personio:a\u0000b', 'INACTIVE'), 'data.integration_id'],
      [events.integrationCreated('personio:\u0000'), 'data.id'],
      [events.integrationDeleted('personio:a\u001bb'), 'data.id'],
    ] as const;
    for (const [body, field] of cases) {
      const message = await expectError(await h.post(body), 400, 'PAYLOAD_INVALID');
      expect(message).toContain(field);
      expect(message).toContain('must not contain control characters');
    }
    const tooLong = `personio:${'a'.repeat(300)}`;
    const message = await expectError(
      await h.post(events.dataChanged(tooLong, ['hris_employees'])),
      400,
      'PAYLOAD_INVALID',
    );
    expect(message).toContain('data.integration_id');
    expect(message).toContain('at most 256 characters');
    expect(await h.queue.count()).toBe(jobsBefore);
    expect(await h.waitingIntegrations()).toEqual(
      expect.not.arrayContaining(['personio:a\u0000b', 'personio:\u0000', tooLong]),
    );
    expect(await h.intent('personio:a\u0000b')).toBeNull();
    expect(await h.intent(tooLong)).toBeNull();

    const kombo = 'personio:8d1hpPsbK7sY2uNK8cBoTTm3';
    expect((await h.post(events.dataChanged(kombo, ['hris_employees']))).status).toBe(200);
    expect(await h.waitingIntegrations()).toContain(kombo);
  });

  it('413 over the body limit, 415 for a non-JSON content type', async () => {
    const big = events.dataChanged(
      'int-413',
      Array.from({ length: 200 }, () => 'hris_employees'),
    );
    await expectError(await h.post(big), 413, 'PAYLOAD_TOO_LARGE');
    const text = await h.post(events.dataChanged('int-415', ['hris_employees']), {
      headers: { 'content-type': 'text/plain' },
    });
    await expectError(text, 415, 'UNSUPPORTED_MEDIA_TYPE');
    expect(await h.intent('int-413')).toBeNull();
    expect(await h.intent('int-415')).toBeNull();
  });

  it('404 in the same error shape', async () => {
    await expectError(await fetch(`${h.url}/nope`), 404, 'NOT_FOUND');
  });

  it('never logs secrets or signatures', () => {
    const logs = h.logs.join('');
    expect(logs).not.toContain(SECRET);
    expect(logs).not.toContain('whsec_new_secret');
    expect(logs.toLowerCase()).not.toContain('x-kombo-signature');
  });
});

describe('health, readiness and metrics', () => {
  it('answers /healthz, /readyz and /metrics', async () => {
    expect((await fetch(`${h.url}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${h.url}/readyz`)).json()).toEqual({ ok: true });
    const metrics = await fetch(`${h.url}/metrics`);
    expect(metrics.headers.get('content-type')).toContain('text/plain');
    expect(await metrics.text()).toBe('kombo_up 1\n');
  });

  it('a 500 never leaks internals', async () => {
    const broken = await startHarness({
      metrics: {
        registry: { contentType: 'text/plain', metrics: async () => '' },
        webhooks: {
          inc: () => {
            throw new Error('internal detail: db password hunter2');
          },
        },
      },
    });
    try {
      const res = await broken.post(events.connectionFlowFailed());
      const message = await expectError(res, 500, 'INTERNAL');
      expect(message).toBe('internal error');
    } finally {
      await broken.close();
    }
  });
});
