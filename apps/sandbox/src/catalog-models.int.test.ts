import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MODELS, type ModelName, type ModelSpec } from '@kombo-sync/catalog';
import { createKomboClient, type KomboClient } from '@kombo-sync/kombo';
import { createSandbox, type RunningSandbox, type Sandbox } from './index.js';

/** The whole catalog through the Kombo client: every model pages to the sandbox's truth, mutations included. */
const API_KEY = 'catalog-key';
let sandbox: Sandbox;
let running: RunningSandbox;
let client: KomboClient;

async function fetchAll(
  integrationId: string,
  model: ModelName,
  updatedAfter?: Date,
): Promise<{ records: Record<string, unknown>[]; pages: number }> {
  const records: Record<string, unknown>[] = [];
  let pages = 0;
  for await (const page of client.pages(model, {
    integrationId,
    includeDeleted: true,
    pageSize: 100,
    ...(updatedAfter ? { updatedAfter } : {}),
  })) {
    pages += 1;
    // The records as Kombo sent them (the parsed ones carry fixed stamps for models without change stamps).
    records.push(...page.rawResults!.map((text) => JSON.parse(text) as Record<string, unknown>));
  }
  return { records, pages };
}

async function get(path: string, integrationId: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${running.url}${path}`, {
    headers: { authorization: `Bearer ${API_KEY}`, 'x-integration-id': integrationId },
  });
  return { status: response.status, body: await response.json() };
}

const idsOf = (records: Record<string, unknown>[]): string[] => records.map((r) => r.id as string);

beforeAll(async () => {
  sandbox = createSandbox({ apiKey: API_KEY, seed: 11 });
  running = await sandbox.listen(0);
  client = createKomboClient({ baseUrl: running.url, apiKey: API_KEY, maxRetries: 0 });
});
afterAll(async () => {
  client.close();
  await running.close();
});

describe('every catalog model through the Kombo client', () => {
  it('pages each model to exactly the sandbox truth, after creates, updates and deletes of every model', async () => {
    const ids = {
      HRIS: sandbox.createIntegration({ category: 'HRIS', sizes: { employees: 150 } }).id,
      ATS: sandbox.createIntegration({ category: 'ATS', sizes: { candidates: 150 } }).id,
      LMS: sandbox.createIntegration({ category: 'LMS', sizes: { users: 150 } }).id,
    };
    for (const model of MODELS as readonly ModelSpec[]) {
      const id = ids[model.category];
      const before = sandbox.truth(id, model.name as ModelName).length;
      sandbox.mutate(id, { creates: 2, updates: 2, deletes: 1, models: [model.name as ModelName] });
      const truth = sandbox.truth(id, model.name as ModelName);
      // Deleted records stay listed (remote_deleted_at), except where the endpoint cannot list them at all.
      expect(truth.length).toBe(model.paging === 'none' ? before + 1 : before + 2);
      const { records, pages } = await fetchAll(id, model.name as ModelName);
      expect({ model: model.name, records }).toEqual({ model: model.name, records: truth });
      if (model.paging === 'none') expect(pages).toBe(1);
      else expect(pages).toBe(Math.ceil(truth.length / 100) || 1);
    }
  });

  it('serves unpaged endpoints whole, refusing paging parameters, and leaves deleted records out', async () => {
    const id = sandbox.createIntegration({ category: 'HRIS', sizes: { employees: 40 } }).id;
    const all = (await get('/hris/employee-skill-assignments', id)).body as {
      data: { next: string | null; results: Record<string, unknown>[] };
    };
    expect(all.data.results).toHaveLength(80);
    expect(all.data.next).toBeNull();
    expect(Object.keys(all.data.results[0]!).sort()).toEqual(
      ['current_level', 'employee_id', 'id', 'skill_id'].sort(),
    );
    for (const query of ['page_size=10', 'cursor=x', 'updated_after=2024-01-01', 'include_deleted=true']) {
      const { status, body } = await get(`/hris/skills?${query}`, id);
      expect(status).toBe(400);
      expect(body).toMatchObject({ error: { code: 'PLATFORM.INPUT_INVALID' } });
    }
    sandbox.mutate(id, { deletes: 1, models: ['hris_employee_skill_assignments'] });
    const { records } = await fetchAll(id, 'hris_employee_skill_assignments');
    expect(records).toHaveLength(79);
    const byIds = (await get(`/hris/employee-skill-assignments?ids=${records[3]!.id as string}`, id))
      .body as { data: { results: unknown[] } };
    expect(byIds.data.results).toEqual([records[3]]);
  });

  it('moves updated_after of the records that embed a changed record', async () => {
    const id = sandbox.createIntegration({ category: 'HRIS', sizes: { employees: 60 } }).id;
    const since = new Date(sandbox.core.clock.now());
    const changed = async (model: ModelName) => idsOf((await fetchAll(id, model, since)).records);
    expect(await changed('hris_performance_reviews')).toEqual([]);

    const cycles = sandbox.truth(id, 'hris_performance_review_cycles');
    expect(
      sandbox.mutate(id, { updates: 1, models: ['hris_performance_review_cycles'] }).changedModels,
    ).toEqual(['hris_performance_review_cycles']);
    const updatedCycle = sandbox
      .truth(id, 'hris_performance_review_cycles')
      .find((cycle, i) => cycle.changed_at !== cycles[i]!.changed_at)!;
    const reviews = (await fetchAll(id, 'hris_performance_reviews', since)).records;
    expect(reviews.length).toBe(60 / cycles.length);
    for (const review of reviews) {
      expect(review.review_cycle).toMatchObject({ id: updatedCycle.id, name: updatedCycle.name });
    }

    expect(sandbox.mutate(id, { updates: 1, models: ['hris_groups'] }).changedModels).toEqual(['hris_teams']);
    const entities = (await fetchAll(id, 'hris_staffing_entities', since)).records;
    expect(entities.length).toBeGreaterThan(0);
    const groupIds = new Set(entities.flatMap((e) => (e.groups as { id: string }[]).map((g) => g.id)));
    expect(groupIds.size).toBe(1);

    const deletedBefore = new Set(await changed('hris_performance_reviews'));
    sandbox.mutate(id, { deletes: 1, models: ['hris_employees'] });
    const deleted = sandbox.truth(id, 'hris_employees').find((e) => e.remote_deleted_at !== null)!;
    const touched = (await fetchAll(id, 'hris_performance_reviews', since)).records.filter(
      (review) => !deletedBefore.has(review.id as string),
    );
    expect(touched.length).toBeGreaterThan(0);
    for (const review of touched) {
      const people = [review.reviewee, review.reviewer] as ({
        id: string;
        remote_deleted_at: string | null;
      } | null)[];
      expect(people.find((person) => person?.id === deleted.id)?.remote_deleted_at).toBe(
        deleted.remote_deleted_at,
      );
    }
  });

  it('reports changes of the skill models in no changed_models name (the spec has none for them)', () => {
    const id = sandbox.createIntegration({ category: 'HRIS', sizes: { employees: 10 } }).id;
    const before = sandbox.truth(id, 'hris_skills');
    expect(sandbox.mutate(id, { updates: 3, models: ['hris_skills'] }).changedModels).toEqual([]);
    expect(sandbox.truth(id, 'hris_skills')).not.toEqual(before);
  });
});
