import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { getIntegration } from '@kombo-sync/db';
import { peekIntent } from '@kombo-sync/queue';
import { basicAuth, bearerAuth, startHarness, type DashboardHarness } from './testing/dashboard-harness.js';
import { HEALTHY, NOW, seed } from './testing/seed.js';

describe('dashboard: sync now, CSRF, Bull Board', () => {
  let h: DashboardHarness;
  const path = `/integrations/${encodeURIComponent(HEALTHY)}`;

  /** GETs the detail page as a browser would and returns the CSRF cookie and the form's token. */
  async function formSession(): Promise<{ cookie: string; token: string }> {
    const res = await fetch(`${h.url}${path}`, { headers: { authorization: basicAuth() } });
    const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const token = /name="_csrf" value="([^"]+)"/.exec(await res.text())?.[1] ?? '';
    expect(cookie).toMatch(/^kombo_sync_csrf=/);
    return { cookie, token };
  }

  function postForm(body: Record<string, string>, headers: Record<string, string>) {
    return fetch(`${h.url}${path}/sync`, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        authorization: basicAuth(),
        'content-type': 'application/x-www-form-urlencoded',
        ...headers,
      },
      body: new URLSearchParams(body).toString(),
    });
  }

  beforeAll(async () => {
    h = await startHarness({ now: () => NOW });
    await seed(h.db);
  });
  beforeEach(async () => {
    await h.queues.sync.obliterate({ force: true });
    await h.queues.bulk.obliterate({ force: true });
    await h.redis.del(`${h.prefix}:intent:pending:${HEALTHY}`);
  });
  afterAll(async () => {
    await h.close();
  });

  it('"sync now" writes a manual intent and enqueues exactly one coalesced job, however often pressed', async () => {
    const { cookie, token } = await formSession();
    const headers = { cookie, origin: h.url, 'sec-fetch-site': 'same-origin' };
    const first = await postForm({ _csrf: token, mode: 'sync' }, headers);
    expect(first.status).toBe(303);
    expect(first.headers.get('location')).toMatch(new RegExp(`^${path}\\?queued=`));
    expect((await postForm({ _csrf: token, mode: 'sync' }, headers)).status).toBe(303);

    const jobs = await h.queues.sync.getJobs(['waiting', 'active', 'delayed', 'prioritized']);
    expect(jobs).toHaveLength(1);
    expect(jobs[0]?.name).toBe('sync');
    expect(jobs[0]?.data).toMatchObject({ integrationId: HEALTHY });
    const intent = await peekIntent(h.redis, h.prefix, HEALTHY);
    expect(intent).toMatchObject({ models: 'all', full: false, triggers: ['manual'] });
    expect(intent?.requestIds).toHaveLength(2);

    const followed = await fetch(`${h.url}${first.headers.get('location')}`, {
      headers: { authorization: basicAuth() },
    });
    expect(await followed.text()).toContain('Sync queued (job');
  });

  it('"full resync" records full: true and waits in the bulk lane', async () => {
    const { cookie, token } = await formSession();
    const res = await postForm({ _csrf: token, mode: 'full' }, { cookie, origin: h.url });
    expect(res.status).toBe(303);
    expect(await peekIntent(h.redis, h.prefix, HEALTHY)).toMatchObject({ models: 'all', full: true });
    expect(await h.queues.bulk.count()).toBe(1);
    expect(await h.queues.sync.count()).toBe(0);
  });

  it('refuses form POSTs without the token, with a foreign token, a foreign Origin or a cross-site fetch', async () => {
    const { cookie, token } = await formSession();
    const refused = [
      await postForm({ mode: 'sync' }, { cookie }),
      await postForm({ _csrf: token, mode: 'sync' }, {}),
      await postForm({ _csrf: 'x.y', mode: 'sync' }, { cookie: 'kombo_sync_csrf=x.y' }),
      await postForm({ _csrf: token, mode: 'sync' }, { cookie, origin: 'https://evil.example' }),
      await postForm({ _csrf: token, mode: 'sync' }, { cookie, 'sec-fetch-site': 'cross-site' }),
      await postForm({ _csrf: token, mode: 'sync' }, { cookie, 'sec-fetch-site': 'same-site' }),
    ];
    expect(refused.map((res) => res.status)).toEqual([403, 403, 403, 403, 403, 403]);
    expect(await refused[0]?.text()).toContain('Missing or invalid CSRF token');
    expect(await refused[3]?.text()).toContain('foreign origin');
    expect(await h.queues.sync.count()).toBe(0);
    expect(await peekIntent(h.redis, h.prefix, HEALTHY)).toBeNull();
  });

  it('POST /api/integrations/:id/sync takes JSON with a bearer token and no CSRF token', async () => {
    const post = (body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${h.url}/api${path}/sync`, {
        method: 'POST',
        headers: { authorization: bearerAuth(), 'content-type': 'application/json', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
    const res = await post({ models: ['hris_employees'] });
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({
      integrationId: HEALTHY,
      requestId: expect.stringMatching(/^manual-/),
    });
    expect(await peekIntent(h.redis, h.prefix, HEALTHY)).toMatchObject({
      models: ['hris_employees'],
      full: false,
    });
    expect(await h.queues.sync.count()).toBe(1);

    expect((await post({ models: ['nope'] })).status).toBe(400);
    expect((await post({ full: 'yes' })).status).toBe(400);
    expect((await post('{"full":', {})).status).toBe(400);
    expect((await post('full=true', { 'content-type': 'text/plain' })).status).toBe(415);
    expect((await post({}, { origin: 'https://evil.example' })).status).toBe(403);
    const unknown = await fetch(`${h.url}/api/integrations/nope%3A1/sync`, {
      method: 'POST',
      headers: { authorization: bearerAuth(), 'content-type': 'application/json' },
      body: '{}',
    });
    expect(unknown.status).toBe(404);
    expect(await h.queues.sync.count()).toBe(1);
  });

  it('serves Bull Board at /queues over every queue, behind auth', async () => {
    expect((await fetch(`${h.url}/queues`)).status).toBe(401);
    const ui = await fetch(`${h.url}/queues`, { headers: { authorization: basicAuth() } });
    expect(ui.status).toBe(200);
    expect(await ui.text()).toContain('<div id="root">');
    const api = await fetch(`${h.url}/queues/api/queues?activeQueue=kombo-sync&status=latest&page=1`, {
      headers: { authorization: basicAuth() },
    });
    const body = (await api.json()) as { queues: { name: string; readOnlyMode: boolean }[] };
    expect(body.queues.map((q) => q.name).sort()).toEqual([
      'kombo-sync',
      'kombo-sync-bulk',
      'kombo-sync-changes',
      'kombo-sync-onboarding',
    ]);
    expect(body.queues.every((q) => !q.readOnlyMode)).toBe(true);
  });

  it('DASHBOARD_READ_ONLY: every change is refused with 403, the pages show no buttons, Bull Board is read-only', async () => {
    const url = await h.startApp({ isDashboardReadOnly: true });
    const auth = { authorization: basicAuth() };
    const api = await fetch(`${url}/queues/api/queues?activeQueue=kombo-sync&status=latest&page=1`, {
      headers: auth,
    });
    const body = (await api.json()) as { queues: { readOnlyMode: boolean }[] };
    expect(body.queues.every((q) => q.readOnlyMode)).toBe(true);

    // Reading is unchanged; no page offers a form that changes something.
    for (const page of ['/', path, `${path}/controls`]) {
      const res = await fetch(`${url}${page}`, { headers: auth });
      expect([page, res.status]).toEqual([page, 200]);
      const text = await res.text();
      expect([page, /data-action=|name="_csrf"/.test(text)]).toEqual([page, false]);
    }

    const sameOrigin = { ...auth, origin: url, 'sec-fetch-site': 'same-origin' };
    const json = { ...sameOrigin, 'content-type': 'application/json' };
    const form = { ...sameOrigin, 'content-type': 'application/x-www-form-urlencoded' };
    const attempts = [
      fetch(`${url}${path}/sync`, { method: 'POST', headers: form, body: 'mode=sync', redirect: 'manual' }),
      fetch(`${url}${path}/controls`, {
        method: 'POST',
        headers: form,
        body: 'action=pause',
        redirect: 'manual',
      }),
      fetch(`${url}/api${path}/sync`, { method: 'POST', headers: json, body: '{}' }),
      fetch(`${url}/api${path}/controls`, { method: 'PATCH', headers: json, body: '{"isPaused":true}' }),
      fetch(`${url}/queues/api/queues/kombo-sync/retry/failed`, { method: 'PUT', headers: json }),
    ];
    for (const res of await Promise.all(attempts)) {
      expect(res.status).toBe(403);
      expect(await res.text()).toContain('read-only (DASHBOARD_READ_ONLY=true)');
    }
    expect(await h.queues.sync.getJobCounts('waiting', 'prioritized', 'delayed')).toEqual({
      waiting: 0,
      prioritized: 0,
      delayed: 0,
    });
    expect(await peekIntent(h.redis, h.prefix, HEALTHY)).toBeNull();
    expect((await getIntegration(h.db, HEALTHY))?.isPaused).toBe(false);
  });
});
