import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { createSandbox, type RunningSandbox, type Sandbox } from './index.js';

const API_KEY = 'test-key';
let sandbox: Sandbox;
let running: RunningSandbox;

type Page = { status: string; data: { next: string | null; results: Record<string, unknown>[] } };

async function get(
  path: string,
  integrationId?: string,
  key = API_KEY,
): Promise<{ status: number; body: unknown; headers: Headers }> {
  const headers: Record<string, string> = { authorization: `Bearer ${key}` };
  if (integrationId) headers['x-integration-id'] = integrationId;
  const response = await fetch(`${running.url}${path}`, { headers });
  return { status: response.status, body: await response.json(), headers: response.headers };
}

async function all(path: string, integrationId: string, query = ''): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  let cursor: string | null = null;
  do {
    const sep = query ? `&${query}` : '';
    const { status, body } = await get(
      `${path}?page_size=250${sep}${cursor ? `&cursor=${cursor}` : ''}`,
      integrationId,
    );
    expect(status).toBe(200);
    const page = body as Page;
    out.push(...page.data.results);
    cursor = page.data.next;
  } while (cursor);
  return out;
}

beforeAll(async () => {
  sandbox = createSandbox({ apiKey: API_KEY, seed: 42 });
  running = await sandbox.listen(0);
});
afterAll(async () => {
  await running.close();
});

describe('list endpoints', () => {
  it('paginates to the end across many pages with unique ids and consistent references', async () => {
    const { id } = sandbox.createIntegration({ sizes: { employees: 600 } });
    const employees = await all('/hris/employees', id);
    expect(employees).toHaveLength(600);
    expect(new Set(employees.map((e) => e.id)).size).toBe(600);
    const employments = await all('/hris/employments', id);
    const employeeIds = new Set(employees.map((e) => e.id));
    expect(employments.every((e) => employeeIds.has(e.employee_id as string))).toBe(true);
    const locations = new Set((await all('/hris/locations', id)).map((l) => l.id));
    expect(employees.every((e) => locations.has(e.work_location_id as string))).toBe(true);
    expect(employees.filter((e) => e.manager_id).every((e) => employeeIds.has(e.manager_id as string))).toBe(
      true,
    );
  });

  it('bounds page_size to 1..250 (default 100) and rejects a cursor used with other filters', async () => {
    const { id } = sandbox.createIntegration({ sizes: { employees: 150 } });
    expect(((await get('/hris/employees', id)).body as Page).data.results).toHaveLength(100);
    for (const bad of ['0', '251', 'abc']) {
      const { status, body } = await get(`/hris/employees?page_size=${bad}`, id);
      expect(status).toBe(400);
      expect(body).toMatchObject({ status: 'error', error: { code: 'PLATFORM.INPUT_INVALID' } });
    }
    const first = (await get('/hris/employees?page_size=10', id)).body as Page;
    const reused = await get(`/hris/employees?include_deleted=true&cursor=${first.data.next}`, id);
    expect(reused.status).toBe(400);
    expect((await get('/hris/employees?cursor=garbage', id)).status).toBe(400);
  });

  it('checks the API key and the integration in Kombo’s error format', async () => {
    const { id } = sandbox.createIntegration({ sizes: { employees: 5 } });
    const unauthorized = await get('/hris/employees', id, 'wrong');
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.body).toMatchObject({
      status: 'error',
      error: { code: 'PLATFORM.AUTHENTICATION_INVALID' },
    });
    const missing = await get('/hris/employees', 'personio:nope');
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ error: { code: 'PLATFORM.INTEGRATION_NOT_FOUND' } });
    expect((await get('/check-api-key')).status).toBe(200);
    expect((await get(`/integrations/${encodeURIComponent(id)}`)).body).toMatchObject({
      data: { id, category: 'HRIS' },
    });
    expect((await get('/ats/jobs', id)).body).toMatchObject({
      error: { code: 'INTEGRATION.MODEL_NOT_AVAILABLE' },
    });
  });

  it('sends the skewed sandbox clock in the Date header', async () => {
    sandbox.setClockSkew(-3_600_000);
    const { headers } = await get('/check-api-key');
    sandbox.setClockSkew(0);
    const skew = Date.parse(headers.get('date')!) - Date.now();
    expect(skew).toBeLessThan(-3_500_000);
    expect(skew).toBeGreaterThan(-3_700_000);
  });
});

describe('changes', () => {
  it('returns records changed or with changed nested data since updated_after (>=), deletions only with include_deleted', async () => {
    const { id } = sandbox.createIntegration({ sizes: { employees: 300 } });
    const since = new Date(sandbox.core.clock.now()).toISOString();
    expect(await all('/hris/employees', id, `updated_after=${since}`)).toHaveLength(0);
    const { changedModels } = sandbox.mutate(id, { updates: 2, nestedUpdates: 3, deletes: 1 });
    expect(changedModels).toEqual(
      expect.arrayContaining([
        'hris_employees',
        'hris_employments',
        'hris_join_employees_teams',
        'hris_time_off_balances',
      ]),
    );
    const visible = await all('/hris/employees', id, `updated_after=${since}`);
    const withDeleted = await all('/hris/employees', id, `updated_after=${since}&include_deleted=true`);
    expect(withDeleted.length).toBe(visible.length + 1);
    const deleted = withDeleted.filter((e) => e.remote_deleted_at !== null);
    expect(deleted).toHaveLength(1);
    // Nested changes return the employee although its own changed_at did not move.
    expect(visible.some((e) => (e.changed_at as string) < since)).toBe(true);
    expect(visible.length).toBeGreaterThanOrEqual(4);
    const employments = await all('/hris/employments', id, `updated_after=${since}`);
    expect(employments).toHaveLength(1);
    expect(visible.map((e) => e.id)).toContain(employments[0]!.employee_id);
    expect((await all('/hris/employees', id)).length).toBe(299);
    const truth = sandbox.truth(id, 'hris_employees');
    expect(truth).toHaveLength(300);
    expect(truth.filter((e) => e.remote_deleted_at)).toHaveLength(1);
    const byIds = await all(
      '/hris/employees',
      id,
      `ids=${deleted[0]!.id},${visible[0]!.id}&include_deleted=true`,
    );
    expect(byIds.map((e) => e.id).sort()).toEqual([deleted[0]!.id, visible[0]!.id].sort());
  });

  it('touches employees when their location changes, and creates records at the end', async () => {
    const { id } = sandbox.createIntegration({ sizes: { employees: 400 } });
    const since = new Date(sandbox.core.clock.now()).toISOString();
    expect(sandbox.mutate(id, { updates: 1, models: ['hris_locations'] }).changedModels).toEqual([
      'hris_locations',
    ]);
    const touched = await all('/hris/employees', id, `updated_after=${since}`);
    expect(touched.length).toBe(100);
    expect(new Set(touched.map((e) => e.work_location_id)).size).toBe(1);
    sandbox.mutate(id, { creates: 2 });
    expect((await all('/hris/employees', id)).length).toBe(402);
  });
});

describe('determinism and scale', () => {
  it('generates the same data for the same seed', async () => {
    const a = createSandbox({ apiKey: 'k', seed: 7 });
    const b = createSandbox({ apiKey: 'k', seed: 7 });
    const idA = a.createIntegration({ sizes: { employees: 30 } }).id;
    const idB = b.createIntegration({ sizes: { employees: 30 } }).id;
    expect(idA).toBe(idB);
    expect(a.truth(idA, 'hris_employees')).toEqual(b.truth(idB, 'hris_employees'));
    // Mutations are stamped with the sandbox clock: both run at one frozen instant, or nested changed_at values
    // (time-off balances) differ whenever the two calls straddle a millisecond.
    const now = jest.spyOn(Date, 'now').mockReturnValue(Date.now());
    try {
      a.mutate(idA, { updates: 3, nestedUpdates: 3 });
      b.mutate(idB, { updates: 3, nestedUpdates: 3 });
    } finally {
      now.mockRestore();
    }
    const strip = (rs: Record<string, unknown>[]) =>
      rs.map((r) => ({ ...r, changed_at: null, employments: null }));
    expect(strip(a.truth(idA, 'hris_employees'))).toEqual(strip(b.truth(idB, 'hris_employees')));
    const c = createSandbox({ apiKey: 'k', seed: 8 });
    const idC = c.createIntegration({ sizes: { employees: 30 } }).id;
    expect(
      c.truth(idC, 'hris_employees')[0]!.first_name === a.truth(idA, 'hris_employees')[0]!.first_name &&
        idC === idA,
    ).toBe(false);
  });

  it('serves a page from the middle of a 1M-employee integration without materializing it', async () => {
    const { id } = sandbox.createIntegration({ sizes: { employees: 1_000_000 } });
    const first = (await get('/hris/employees?page_size=250', id)).body as Page;
    global.gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    const cursor = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(first.data.next!, 'base64url').toString()), p: 600_000 }),
    ).toString('base64url');
    const middle = (await get(`/hris/employees?page_size=250&cursor=${cursor}`, id)).body as Page;
    expect(middle.data.results).toHaveLength(250);
    expect(middle.data.results[0]!.employee_number).toBe('600001');
    expect(middle.data.next).not.toBeNull();
    // A materialized 1M-employee table would take gigabytes; one page is well under 50 MB.
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(50 * 1024 * 1024);
    expect(sandbox.core.integrations.get(id)!.store('hris_employees')!.overlays.size).toBe(0);
  });
});
