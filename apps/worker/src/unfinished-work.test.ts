import { describe, expect, it } from '@jest/globals';
import type { ModelName } from '@kombo-sync/catalog';
import type { ModelStatus, ModelSummary } from '@kombo-sync/sync';
import { unfinishedWork } from './unfinished-work.js';

const intent = { triggers: ['manual'], requestIds: ['r1'] };
const summaryOf = (model: ModelName, status: ModelStatus, isFullPass = true): ModelSummary => ({
  model,
  status,
  isFullPass,
  updatedAfter: null,
  watermark: null,
  pages: 0,
  records: 0,
  inserted: 0,
  updated: 0,
  unchanged: 0,
  deleted: 0,
  quarantined: 0,
  upserted: 0,
  durationMs: 0,
});

describe('unfinishedWork (what a stopped run hands back)', () => {
  it('exactly the models that did not succeed or get skipped, full passes as full passes', () => {
    const work = unfinishedWork(
      {
        models: [
          summaryOf('hris_employees', 'succeeded'),
          summaryOf('hris_groups', 'skipped'),
          summaryOf('hris_employments', 'yielded'),
          summaryOf('hris_locations', 'cancelled', false),
          summaryOf('hris_absences', 'failed'),
          // Read whole by every pass: no full pass to ask for.
          summaryOf('hris_skills', 'yielded'),
        ],
      },
      { ...intent, traceparents: ['00-a-b-01'] },
    );
    expect(work).toEqual({
      models: ['hris_employments', 'hris_locations', 'hris_absences', 'hris_skills'],
      full: false,
      fullModels: ['hris_employments', 'hris_absences'],
      triggers: ['manual'],
      requestIds: ['r1'],
      traceparents: ['00-a-b-01'],
    });
  });

  it('nothing when every model finished; one delta when only the embedded-copy refresh is left', () => {
    const done = [summaryOf('ats_candidates', 'succeeded', false), summaryOf('ats_tags', 'succeeded')];
    expect(unfinishedWork({ models: done }, intent)).toBeUndefined();
    expect(
      unfinishedWork(
        { models: done, embeddedRefresh: { refetched: 0, requests: 0, upserted: 0, isYielded: true } },
        intent,
      ),
    ).toEqual({ models: ['ats_candidates'], full: false, triggers: ['manual'], requestIds: ['r1'] });
  });

  it('adds the bulk work a delta-lane run handed on', () => {
    const work = unfinishedWork({ models: [summaryOf('hris_employees', 'yielded', false)] }, intent, {
      models: ['hris_groups'],
      full: false,
      fullModels: ['hris_groups'],
    });
    expect(work).toMatchObject({ models: ['hris_employees', 'hris_groups'], fullModels: ['hris_groups'] });
  });
});
