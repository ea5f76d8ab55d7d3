import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { getIntegration } from '@kombo-sync/db';
import { peekIntent, publishScheduleDefaults } from '@kombo-sync/queue';
import { basicAuth, bearerAuth, startHarness, type DashboardHarness } from './testing/dashboard-harness.js';
import { HEALTHY, NOW, seed } from './testing/seed.js';

const HOUR_MS = 3_600_000;

describe('dashboard: integration controls (pages and JSON API)', () => {
  let h: DashboardHarness;
  const path = `/integrations/${encodeURIComponent(HEALTHY)}/controls`;

  async function formSession(): Promise<{ cookie: string; token: string; page: string }> {
    const res = await fetch(`${h.url}${path}`, { headers: { authorization: basicAuth() } });
    expect(res.status).toBe(200);
    const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const page = await res.text();
    const token = /name="_csrf" value="([^"]+)"/.exec(page)?.[1] ?? '';
    return { cookie, token, page };
  }

  function postForm(body: URLSearchParams, headers: Record<string, string>) {
    return fetch(`${h.url}${path}`, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        authorization: basicAuth(),
        'content-type': 'application/x-www-form-urlencoded',
        origin: h.url,
        ...headers,
      },
      body: body.toString(),
    });
  }

  const patch = (body: unknown, headers: Record<string, string> = {}, id = HEALTHY) =>
    fetch(`${h.url}/api/integrations/${encodeURIComponent(id)}/controls`, {
      method: 'PATCH',
      headers: { authorization: bearerAuth(), 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  beforeAll(async () => {
    h = await startHarness({ now: () => NOW });
    await seed(h.db);
    await publishScheduleDefaults(h.redis, h.prefix, {
      fullEveryMs: 168 * HOUR_MS,
      safetyNetEveryMs: 6 * HOUR_MS,
    });
  });
  beforeEach(async () => {
    await h.queues.sync.obliterate({ force: true });
    await h.queues.bulk.obliterate({ force: true });
    await h.redis.del(`${h.prefix}:intent:pending:${HEALTHY}`);
  });
  afterAll(async () => {
    await h.close();
  });

  it('the controls page is behind auth; its forms pause and resume with the CSRF token', async () => {
    expect((await fetch(`${h.url}${path}`)).status).toBe(401);
    const { cookie, token, page } = await formSession();
    expect(page).toContain('data-action="pause"');
    expect(page).toContain('fleet default: 7d');

    const refused = await postForm(new URLSearchParams({ action: 'pause' }), { cookie });
    expect(refused.status).toBe(403);
    expect((await getIntegration(h.db, HEALTHY))?.isPaused).toBe(false);

    const paused = await postForm(new URLSearchParams({ _csrf: token, action: 'pause' }), { cookie });
    expect(paused.status).toBe(303);
    expect((await getIntegration(h.db, HEALTHY))?.isPaused).toBe(true);
    const after = await fetch(`${h.url}${paused.headers.get('location')}`, {
      headers: { authorization: basicAuth() },
    });
    const text = await after.text();
    expect(text).toContain('Paused.');
    expect(text).toContain('data-action="resume"');
    expect(await h.queues.sync.count()).toBe(0);

    const resumed = await postForm(new URLSearchParams({ _csrf: token, action: 'resume' }), { cookie });
    expect(resumed.status).toBe(303);
    expect(decodeURIComponent(resumed.headers.get('location') ?? '')).toMatch(
      /Resumed: catch-up sync queued/,
    );
    expect((await getIntegration(h.db, HEALTHY))?.isPaused).toBe(false);
    expect(await peekIntent(h.redis, h.prefix, HEALTHY)).toMatchObject({
      models: 'all',
      triggers: ['resume'],
    });
    expect(await h.queues.sync.count()).toBe(1);
  });

  it('the form saves a model subset and intervals, and reschedules', async () => {
    const { cookie, token } = await formSession();
    const body = new URLSearchParams({
      _csrf: token,
      action: 'save',
      full_interval: '2d',
      safety_net_interval: '3h',
    });
    body.append('models', 'hris_employees');
    body.append('models', 'hris_absences');
    const saved = await postForm(body, { cookie });
    expect(saved.status).toBe(303);
    const row = await getIntegration(h.db, HEALTHY);
    expect(row).toMatchObject({
      models: ['hris_employees', 'hris_absences'],
      fullIntervalMs: 48 * HOUR_MS,
      safetyNetIntervalMs: 3 * HOUR_MS,
    });
    expect((await h.queues.sync.getJobScheduler(`sync:${HEALTHY}`))?.every).toBe(3 * HOUR_MS);

    const bad = new URLSearchParams({ _csrf: token, action: 'save', all_models: '1', full_interval: '10s' });
    expect((await postForm(bad, { cookie })).status).toBe(400);
    const reset = new URLSearchParams({ _csrf: token, action: 'save', all_models: '1' });
    expect((await postForm(reset, { cookie })).status).toBe(303);
    expect(await getIntegration(h.db, HEALTHY)).toMatchObject({
      models: null,
      fullIntervalMs: null,
      safetyNetIntervalMs: null,
    });
    expect((await h.queues.sync.getJobScheduler(`sync:${HEALTHY}`))?.every).toBe(6 * HOUR_MS);
  });

  it('GET and PATCH /api/integrations/:id/controls with a bearer token', async () => {
    const read = await fetch(`${h.url}/api${path}`, { headers: { authorization: bearerAuth() } });
    expect(read.status).toBe(200);
    expect(await read.json()).toMatchObject({
      integrationId: HEALTHY,
      isPaused: false,
      models: null,
      fullIntervalMs: null,
      defaults: { fullEveryMs: 168 * HOUR_MS, safetyNetEveryMs: 6 * HOUR_MS },
      availableModels: expect.arrayContaining(['hris_employees']),
    });

    const paused = await patch({ isPaused: true, models: ['hris_employees'], safetyNetIntervalMs: HOUR_MS });
    expect(paused.status).toBe(200);
    expect(await paused.json()).toMatchObject({
      isPaused: true,
      pauseChangedAt: expect.any(String),
      models: ['hris_employees'],
      safetyNetIntervalMs: HOUR_MS,
      isRescheduled: true,
    });
    expect(await h.queues.sync.getJobCountByTypes('waiting', 'prioritized')).toBe(0);

    const resumed = await patch({ isPaused: false });
    const json = (await resumed.json()) as Record<string, unknown>;
    expect(json).toMatchObject({ isPaused: false, requestId: expect.stringMatching(/^dashboard-/) });
    expect(json['jobId']).toEqual(expect.any(String));
    expect(await peekIntent(h.redis, h.prefix, HEALTHY)).toMatchObject({
      models: 'all',
      triggers: ['resume'],
    });

    expect((await patch({ models: ['ats_jobs'] })).status).toBe(400);
    expect((await patch({ models: ['nope'] })).status).toBe(400);
    expect((await patch({ fullIntervalMs: 1_000 })).status).toBe(400);
    expect((await patch({ isPaused: 'yes' })).status).toBe(400);
    expect((await patch({ extra: 1 })).status).toBe(400);
    expect((await patch('isPaused=true', { 'content-type': 'text/plain' })).status).toBe(415);
    expect((await patch({ isPaused: true }, { origin: 'https://evil.example' })).status).toBe(403);
    expect((await patch({ isPaused: true }, {}, 'nope:1')).status).toBe(404);
    expect((await patch({ isPaused: true }, { authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await getIntegration(h.db, HEALTHY))?.isPaused).toBe(false);
    await patch({ models: null, safetyNetIntervalMs: null });
  });

  it('stores a model named twice once; an id with a NUL is a 400 with a clear message, never a 500', async () => {
    const twice = await patch({ models: ['hris_employees', 'hris_absences', 'hris_employees'] });
    expect(twice.status).toBe(200);
    expect(await twice.json()).toMatchObject({ models: ['hris_employees', 'hris_absences'] });
    expect((await getIntegration(h.db, HEALTHY))?.models).toEqual(['hris_employees', 'hris_absences']);
    await patch({ models: null });

    const nul = `${HEALTHY}\u0000x`;
    const responses = await Promise.all([
      patch({ isPaused: true }, {}, nul),
      fetch(`${h.url}/api/integrations/${encodeURIComponent(nul)}/controls`, {
        headers: { authorization: bearerAuth() },
      }),
      fetch(`${h.url}/api/integrations/${encodeURIComponent(nul)}`, {
        headers: { authorization: bearerAuth() },
      }),
      fetch(`${h.url}/integrations/${encodeURIComponent(nul)}/controls`, {
        headers: { authorization: basicAuth() },
      }),
    ]);
    for (const response of responses) {
      expect(response.status).toBe(400);
      expect(await response.text()).toContain('must not contain a NUL character');
    }
  });
});
