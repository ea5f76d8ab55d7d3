import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { listWebhookEndpoints, writeWebhookMessages } from '@kombo-sync/db';
import { basicAuth, bearerAuth, startHarness, type DashboardHarness } from './testing/dashboard-harness.js';

describe('dashboard: outbound webhook endpoints', () => {
  let h: DashboardHarness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  async function formSession(path: string) {
    const res = await fetch(`${h.url}${path}`, { headers: { authorization: basicAuth() } });
    expect(res.status).toBe(200);
    const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const page = await res.text();
    return { cookie, token: /name="_csrf" value="([^"]+)"/.exec(page)?.[1] ?? '', page };
  }
  const post = (path: string, body: Record<string, string>, headers: Record<string, string>) =>
    fetch(`${h.url}${path}`, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        authorization: basicAuth(),
        'content-type': 'application/x-www-form-urlencoded',
        origin: h.url,
        ...headers,
      },
      body: new URLSearchParams(body).toString(),
    });

  it('adds an endpoint behind auth, same-origin and CSRF; shows its secret once and never again', async () => {
    expect((await fetch(`${h.url}/webhooks`)).status).toBe(401);
    const { cookie, token } = await formSession('/webhooks');
    const fields = {
      url: 'https://hooks.example.com/in?token=t0ps3cret',
      models: 'hris_employees',
      integrations: '',
    };

    expect((await post('/webhooks', fields, { cookie })).status).toBe(403);
    expect(
      (await post('/webhooks', { ...fields, _csrf: token }, { cookie, 'sec-fetch-site': 'cross-site' }))
        .status,
    ).toBe(403);
    const bad = await post('/webhooks', { ...fields, models: 'hris_bogus', _csrf: token }, { cookie });
    expect(bad.status).toBe(400);
    expect(await listWebhookEndpoints(h.db)).toEqual([]);

    const created = await post('/webhooks', { ...fields, _csrf: token }, { cookie });
    expect(created.status).toBe(200);
    const page = await created.text();
    const [endpoint] = await listWebhookEndpoints(h.db);
    expect(page).toContain(endpoint!.secret);
    expect(page).toContain('https://hooks.example.com/in?…');

    const list = await (await fetch(`${h.url}/webhooks`, { headers: { authorization: basicAuth() } })).text();
    const api = await (
      await fetch(`${h.url}/api/webhooks`, { headers: { authorization: bearerAuth() } })
    ).text();
    for (const text of [list, api]) {
      expect(text).toContain(endpoint!.id);
      expect(text).not.toContain(endpoint!.secret);
      expect(text).not.toContain('whsec_');
      expect(text).not.toContain('t0ps3cret');
    }
  });

  it('the endpoint page shows the delivery log and disables, replays and rotates with the CSRF token', async () => {
    const [endpoint] = await listWebhookEndpoints(h.db);
    const path = `/webhooks/${endpoint!.id}`;
    await writeWebhookMessages(h.db, {
      integrationId: 'personio:a',
      model: 'hris_employees',
      runId: 3,
      changedIds: ['e1'],
      deletedIds: [],
      komboTime: new Date(),
    });
    const { cookie, token, page } = await formSession(path);
    expect(page).toContain('msg_');
    expect(page).toMatch(/hris_employees #1/);

    const disabled = await post(path, { action: 'disable', _csrf: token }, { cookie });
    expect(disabled.status).toBe(303);
    const after = await (
      await fetch(`${h.url}${disabled.headers.get('location')}`, { headers: { authorization: basicAuth() } })
    ).text();
    expect(after).toContain('disabled by an operator');
    expect(after).toMatch(/dead 1/);

    expect((await post(path, { action: 'enable', _csrf: token }, { cookie })).status).toBe(303);
    const replayed = await post(path, { action: 'replay_dead', _csrf: token }, { cookie });
    expect(decodeURIComponent(replayed.headers.get('location') ?? '')).toContain(
      '1 dead deliveries queued again',
    );
    const rotated = await post(path, { action: 'rotate', _csrf: token }, { cookie });
    const [afterRotation] = await listWebhookEndpoints(h.db);
    expect(await rotated.text()).toContain(afterRotation!.secret);
    expect(afterRotation!.previousSecret).toBe(endpoint!.secret);
    expect((await post(path, { action: 'delete' }, { cookie })).status).toBe(403);
    expect((await post(path, { action: 'delete', _csrf: token }, { cookie })).status).toBe(303);
    expect(await listWebhookEndpoints(h.db)).toEqual([]);
  });
});
