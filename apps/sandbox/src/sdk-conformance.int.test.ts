import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as sdkModels from '@kombo-api/sdk/models';
import { MODELS, type KomboCategory, type ModelSpec } from '@kombo-sync/catalog';
import { createSandbox, type RunningSandbox, type Sandbox } from './index.js';

/**
 * Kombo's official TypeScript SDK (`@kombo-api/sdk`) parses every sandbox listing it has a schema for: what a
 * customer's code built on the SDK reads from Kombo, it reads from the sandbox too. The spec (conformance.int.test.ts)
 * covers the endpoints the SDK does not have yet, listed here so that an SDK upgrade adding them is noticed.
 */
const NOT_IN_SDK = new Set([
  '/hris/skills',
  '/hris/employee-skill-assignments',
  '/lms/users',
  '/lms/courses',
  '/lms/course-progressions',
  '/lms/skills',
]);

interface InboundSchema {
  safeParse(value: unknown): { success: boolean; error?: { issues: unknown[] } };
}

/** The SDK's schema of a list endpoint's 200 body: `/hris/legal-entities` → `GetHrisLegalEntitiesPositiveResponse`. */
function sdkSchemaOf(path: string): InboundSchema | undefined {
  const name = `Get${path
    .split(/[/-]/)
    .filter(Boolean)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('')}PositiveResponse$inboundSchema`;
  return (sdkModels as unknown as Record<string, InboundSchema | undefined>)[name];
}

const API_KEY = 'sdk-key';
let sandbox: Sandbox;
let running: RunningSandbox;

async function get(path: string, integrationId?: string): Promise<unknown> {
  const headers: Record<string, string> = { authorization: `Bearer ${API_KEY}` };
  if (integrationId) headers['x-integration-id'] = integrationId;
  const response = await fetch(`${running.url}${path}`, { headers });
  expect(response.status).toBe(200);
  return response.json();
}

function expectParsed(schema: InboundSchema, body: unknown, what: string): void {
  const result = schema.safeParse(body);
  if (!result.success) throw new Error(`${what}: ${JSON.stringify(result.error?.issues.slice(0, 3))}`);
}

beforeAll(async () => {
  sandbox = createSandbox({ apiKey: API_KEY, seed: 9 });
  running = await sandbox.listen(0);
});
afterAll(() => running.close());

describe('the official Kombo SDK parses the sandbox', () => {
  it('every list endpoint it knows, with mutated, created and deleted records', async () => {
    const ids: Record<KomboCategory, string> = {
      HRIS: sandbox.createIntegration({ category: 'HRIS', sizes: { employees: 60 } }).id,
      ATS: sandbox.createIntegration({ category: 'ATS', sizes: { candidates: 60 } }).id,
      LMS: sandbox.createIntegration({ category: 'LMS', sizes: { users: 60 } }).id,
    };
    for (const [category, id] of Object.entries(ids)) {
      const models = MODELS.filter((m) => m.category === category).map((m) => m.name);
      sandbox.mutate(id, { creates: 3, updates: 6, nestedUpdates: 6, deletes: 3, models });
    }
    const unknownToSdk: string[] = [];
    for (const model of MODELS as readonly ModelSpec[]) {
      const schema = sdkSchemaOf(model.path);
      if (!schema) {
        unknownToSdk.push(model.path);
        continue;
      }
      const body = await get(`${model.path}?page_size=250&include_deleted=true`, ids[model.category]);
      expectParsed(schema, body, model.name);
    }
    expect(unknownToSdk.sort()).toEqual([...NOT_IN_SDK].sort());
  });

  it('GET /integrations/:id, its custom-fields and integration-fields, and GET /check-api-key', async () => {
    for (const category of ['HRIS', 'ATS', 'LMS'] as const) {
      const id = sandbox.createIntegration({ category, sizes: { employees: 3, candidates: 3, users: 3 } }).id;
      expectParsed(
        sdkModels.GetIntegrationsIntegrationIdPositiveResponse$inboundSchema,
        await get(`/integrations/${id}`),
        'integration',
      );
    }
    const id = sandbox.createIntegration({ sizes: { employees: 3 } }).id;
    sandbox.changeFieldDefinitions(id, { creates: 3, updates: 2, deletes: 1 });
    expectParsed(
      sdkModels.GetIntegrationsIntegrationIdCustomFieldsPositiveResponse$inboundSchema,
      await get(`/integrations/${id}/custom-fields`),
      'custom-fields',
    );
    expectParsed(
      sdkModels.GetIntegrationsIntegrationIdIntegrationFieldsPositiveResponse$inboundSchema,
      await get(`/integrations/${id}/integration-fields`),
      'integration-fields',
    );
    expectParsed(
      sdkModels.GetCheckApiKeyPositiveResponse$inboundSchema,
      await get('/check-api-key'),
      'check-api-key',
    );
  });
});
