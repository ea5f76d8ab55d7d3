import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ALL_MODEL_NAMES, getModel, modelsForChangedNames } from '@kombo-sync/catalog';
import { getRecentRuns } from '@kombo-sync/db';
import { createHarness, type WorkerHarness } from './testing/worker-harness.js';

// LMS integrations are mirrored like HRIS and ATS ones: users, courses, course progressions, skills.
const LMS_MODELS = ALL_MODEL_NAMES.filter((model) => getModel(model).category === 'LMS');

let h: WorkerHarness;
beforeAll(async () => {
  h = await createHarness({ enabledModels: LMS_MODELS });
  h.startWorker();
});
afterAll(async () => {
  await h.close();
});

async function syncedLmsIntegration(users: number): Promise<string> {
  const { id } = h.sandbox.createIntegration({ category: 'LMS', sizes: { users } });
  await h.trigger(id, {
    created: { id, tool: 'docebo', category: 'LMS' },
    full: true,
    triggers: ['integration-created'],
  });
  await h.waitForIdle();
  return id;
}

describe('LMS integrations', () => {
  it('a full sync mirrors every LMS model exactly', async () => {
    const id = await syncedLmsIntegration(40);
    expect(LMS_MODELS).toEqual(['lms_users', 'lms_courses', 'lms_course_progressions', 'lms_skills']);
    await h.expectExact(id, LMS_MODELS);
    const [run] = await getRecentRuns(h.database, id, 1);
    expect(run?.status).toBe('succeeded');
  });

  it('deltas follow changes, and refresh the copies in progressions and courses Kombo does not re-date', async () => {
    const id = await syncedLmsIntegration(40);
    for (const models of [
      ['lms_users'],
      ['lms_skills'],
      ['lms_courses'],
      ['lms_course_progressions', 'lms_users'],
    ] as const) {
      const { changedModels } = h.sandbox.mutate(id, {
        creates: 1,
        updates: 2,
        nestedUpdates: 2,
        deletes: 1,
        models: [...models],
      });
      await h.trigger(id, {
        models: modelsForChangedNames(changedModels).models,
        triggers: ['data-changed'],
      });
      await h.waitForIdle();
      await h.expectExact(id, LMS_MODELS);
      const [run] = await getRecentRuns(h.database, id, 1);
      expect({ models, kind: run?.kind, status: run?.status }).toEqual({
        models,
        kind: 'delta',
        status: 'succeeded',
      });
    }
  });
});
