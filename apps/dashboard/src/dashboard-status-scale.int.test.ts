// The status page and /api/integrations over a fleet of thousands: bounded pages, filters, search, keyset links.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { upsertIntegration } from '@kombo-sync/db';
import { expectedStates, seedFleet, type FleetMember } from '@kombo-sync/db/testing';
import { basicAuth, bearerAuth, startHarness, type DashboardHarness } from './testing/dashboard-harness.js';

const FLEET = 2_500;
/** The bound for one page of the status views. */
const MAX_PAGE_BYTES = 300 * 1024;

interface ApiPage {
  summary: { integrations: number; states: Record<string, number>; health: Record<string, number> };
  lanes: { lane: string; waiting: number }[] | { error: string };
  integrations: { id: string; flags: string[]; health: string }[];
  page: { limit: number; nextAfter: string | null; previousBefore: string | null; next: string | null };
}

describe('status views at thousands of integrations', () => {
  let h: DashboardHarness;
  let members: FleetMember[];
  const get = (path: string, authorization = bearerAuth()) =>
    fetch(`${h.url}${path}`, { headers: { authorization } });
  const api = async (path: string) => {
    const res = await get(path);
    expect(res.status).toBe(200);
    return { body: (await res.json()) as ApiPage, bytes: Number(res.headers.get('content-length')) };
  };
  const idsIn = (state: string) =>
    members
      .filter((m) => expectedStates(m).includes(state))
      .map((m) => m.id)
      .sort();

  beforeAll(async () => {
    h = await startHarness();
    members = await seedFleet(h.db, { integrations: FLEET, runsPerIntegration: 20, historyDays: 7 });
  }, 120_000);
  afterAll(async () => {
    await h.close();
  });

  it('the status page shows the summary and one bounded page, with a link to the next', async () => {
    const res = await get('/', basicAuth());
    const page = await res.text();
    expect(res.status).toBe(200);
    expect(Buffer.byteLength(page)).toBeLessThan(MAX_PAGE_BYTES);
    expect(page.match(/<tr data-integration=/g)).toHaveLength(50);
    expect(page).toContain(`<strong>${FLEET.toLocaleString('en-US')} integrations</strong>`);
    expect(page).toContain(`>${idsIn('failing').length} failing</a`);
    expect(page).toMatch(/data-lane="delta"\s*>delta: 0 waiting/);
    const next = /<a rel="next" href="([^"]+)"/.exec(page)?.[1]?.replace(/&amp;/g, '&');
    expect(next).toBe(`/?after=${encodeURIComponent(members.map((m) => m.id).sort()[49]!)}`);
    const second = await (await get(next!, basicAuth())).text();
    expect(second.match(/<tr data-integration=/g)).toHaveLength(50);
    expect(second).toContain('rel="prev"');
  });

  it('/api/integrations pages by its next links through every integration, each page bounded', async () => {
    const seen: string[] = [];
    let path: string | null = '/api/integrations?limit=500';
    while (path) {
      const { body, bytes } = await api(path);
      expect(bytes).toBeLessThan(MAX_PAGE_BYTES * 4);
      expect(body.integrations.length).toBeLessThanOrEqual(500);
      seen.push(...body.integrations.map((i) => i.id));
      path = body.page.next;
    }
    expect(seen).toEqual(members.map((m) => m.id).sort());
    const { body, bytes } = await api('/api/integrations');
    expect(body.integrations).toHaveLength(50);
    expect(bytes).toBeLessThan(MAX_PAGE_BYTES);
    expect(body.summary.integrations).toBe(FLEET);
    for (const state of Object.keys(body.summary.states))
      expect(body.summary.states[state]).toBe(idsIn(state).length);
  });

  it('filters by state, category and tool and searches, over the API and the page', async () => {
    for (const state of ['failing', 'lagging', 'paused', 'not-found', 'quarantined', 'running']) {
      const { body } = await api(`/api/integrations?filter=${state}&limit=500`);
      expect([state, body.integrations.map((i) => i.id)]).toEqual([state, idsIn(state)]);
      for (const row of body.integrations) expect(row.flags).toContain(state);
    }
    const both = await api('/api/integrations?filter=failing&filter=not-found&limit=500');
    expect(both.body.integrations.map((i) => i.id)).toEqual(
      [...new Set([...idsIn('failing'), ...idsIn('not-found')])].sort(),
    );
    const ats = await api('/api/integrations?category=ATS&tool=Greenhouse&limit=500');
    expect(ats.body.integrations).toHaveLength(500);
    expect(ats.body.integrations.every((i) => i.id.startsWith('greenhouse:'))).toBe(true);
    const byOrg = await api('/api/integrations?q=org%202024');
    expect(byOrg.body.integrations.map((i) => i.id)).toEqual([members[2023]?.id]);
    const byOrigin = await api('/api/integrations?q=ORIGIN-77');
    expect(byOrigin.body.integrations.map((i) => i.id)).toContain(members[76]?.id);
    const page = await (await get('/?q=origin-1500&filter=', basicAuth())).text();
    expect(page.match(/<tr data-integration=/g)).toHaveLength(1);
    expect(page).toContain('value="origin-1500"');
  });

  it('filters by Kombo environment over the API (keyset pages) and the page', async () => {
    const us = ['us/personio:fleet-000001', 'us/personio:z', 'us/greenhouse:a'];
    for (const id of us) await upsertIntegration(h.db, { id, tool: id.split(/[/:]/)[1]!, category: 'HRIS' });
    const seen: string[] = [];
    let path: string | null = '/api/integrations?environment=us&limit=2';
    while (path) {
      const { body } = await api(path);
      seen.push(...body.integrations.map((i) => i.id));
      path = body.page.next;
    }
    expect(seen).toEqual([...us].sort());
    const { body } = await api('/api/integrations?environment=default&limit=1');
    expect(body.integrations.map((i) => i.id)).toEqual([members.map((m) => m.id).sort()[0]]);
    expect(body.page.next).toContain('environment=default');
    const page = await (await get('/?environment=us', basicAuth())).text();
    expect(page.match(/<tr data-integration=/g)).toHaveLength(3);
    expect(page).toContain('value="us"');
  });

  it('answers 400 for a bad filter, limit, cursor or environment', async () => {
    for (const query of [
      'filter=bogus',
      'limit=0',
      'limit=501',
      'limit=x',
      'after=a&before=b',
      `q=${'x'.repeat(201)}`,
      'environment=US',
      'environment=us%2Fx',
    ]) {
      const res = await get(`/api/integrations?${query}`);
      expect([query, res.status]).toEqual([query, 400]);
    }
    expect((await get('/?filter=bogus', basicAuth())).status).toBe(400);
  });
});
