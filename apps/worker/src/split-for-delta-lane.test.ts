import { describe, expect, it } from '@jest/globals';
import type { ModelName } from '@kombo-sync/catalog';
import { splitForDeltaLane } from './split-for-delta-lane.js';

const intent = { triggers: ['data-changed'], requestIds: ['req-1'] };
const models: ModelName[] = ['hris_employees', 'hris_employments', 'hris_groups'];

describe('splitForDeltaLane (what the delta lane keeps, what it hands on)', () => {
  it('a full plan goes to the bulk lane whole, without looking at watermarks', () => {
    const split = splitForDeltaLane({ models, mode: 'full', trigger: 'schedule:full' }, intent, () => {
      throw new Error('not asked for a full plan');
    });
    expect(split).toEqual({
      handOn: { models, full: true, triggers: ['data-changed'], requestIds: ['req-1'] },
    });
  });

  it('models with a watermark stay; models never synced are handed on as initial passes', () => {
    const plan = {
      models,
      mode: 'delta' as const,
      trigger: 'data-changed',
      unavailable: ['ats_jobs' as const],
    };
    const split = splitForDeltaLane(plan, intent, (model) => model !== 'hris_groups');
    expect(split).toEqual({
      delta: { ...plan, models: ['hris_employees', 'hris_employments'] },
      handOn: { models: ['hris_groups'], full: false, triggers: ['data-changed'], requestIds: ['req-1'] },
    });
  });

  it('full passes handed back (fullModels) go on to the bulk lane as full passes, the rest stays', () => {
    const plan = {
      models,
      mode: 'delta' as const,
      fullModels: ['hris_employees' as const],
      trigger: 'manual',
    };
    const split = splitForDeltaLane(plan, intent, () => true);
    expect(split).toEqual({
      delta: { models: ['hris_employments', 'hris_groups'], mode: 'delta', trigger: 'manual' },
      handOn: {
        models: ['hris_employees'],
        full: false,
        fullModels: ['hris_employees'],
        triggers: ['data-changed'],
        requestIds: ['req-1'],
      },
    });
  });

  it('all watermarked: nothing handed on; none watermarked: nothing kept', () => {
    const plan = { models, mode: 'delta' as const, trigger: 'data-changed' };
    expect(splitForDeltaLane(plan, intent, () => true)).toEqual({ delta: plan });
    expect(splitForDeltaLane(plan, intent, () => false)).toEqual({
      handOn: { models, full: false, triggers: ['data-changed'], requestIds: ['req-1'] },
    });
  });
});
