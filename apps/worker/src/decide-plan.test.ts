import { describe, expect, it } from '@jest/globals';
import type { Intent } from '@kombo-sync/queue';
import { decidePlan, enabledModels } from './decide-plan.js';

const config = { enabledModels: ['hris_employees', 'hris_employments', 'hris_groups'] as const };
const row = { state: 'ACTIVE', isPaused: false, category: 'HRIS', dataExpiredAt: null, models: null };
const intent = (parts: Partial<Intent> = {}): Intent => ({
  models: 'all',
  full: false,
  triggers: ['schedule:safety-net'],
  requestIds: [],
  ...parts,
});
const facts = { isResumed: false, isFirstSeen: false };
const remote = { data_expired_at: null, read_models: [] };

describe('decidePlan (what a run must do, no I/O)', () => {
  it('enabled models are those of the category, in catalog order', () => {
    expect(enabledModels(config, 'HRIS')).toEqual(['hris_employees', 'hris_employments', 'hris_groups']);
    expect(enabledModels(config, 'ATS')).toEqual([]);
    expect(enabledModels({}, 'LMS')).toEqual([
      'lms_users',
      'lms_courses',
      'lms_course_progressions',
      'lms_skills',
    ]);
  });

  it("an integration's own model subset narrows the enabled models", () => {
    expect(enabledModels(config, 'HRIS', ['hris_groups', 'ats_jobs'])).toEqual(['hris_groups']);
    const decision = decidePlan({ ...row, models: ['hris_employees'] }, intent(), config, remote, facts);
    expect(decision.action === 'plan' && decision.plan?.models).toEqual(['hris_employees']);
  });

  it('a paused integration or a paused state plans nothing', () => {
    expect(decidePlan({ ...row, isPaused: true }, intent(), config, remote, facts)).toEqual({
      action: 'paused',
    });
    for (const state of ['INACTIVE', 'INVALID', 'NOT_FOUND']) {
      expect(decidePlan({ ...row, state }, intent(), config, remote, facts).action).toBe('paused');
    }
  });

  it('INACTIVE/INVALID: a scheduled run asks Kombo once whether it serves the integration again; nothing else does', () => {
    for (const state of ['INACTIVE', 'INVALID']) {
      expect(decidePlan({ ...row, state }, intent(), config, undefined, facts)).toEqual({
        action: 'read-remote',
      });
      expect(
        decidePlan({ ...row, state }, intent({ full: true, models: [] }), config, undefined, facts).action,
      ).toBe('read-remote');
      // Kombo still does not serve it (its view is given): paused.
      expect(decidePlan({ ...row, state }, intent(), config, remote, facts).action).toBe('paused');
      const delta = intent({ models: ['hris_employees'], triggers: ['data-changed'] });
      expect(decidePlan({ ...row, state }, delta, config, undefined, facts).action).toBe('paused');
    }
    expect(decidePlan({ ...row, state: 'NOT_FOUND' }, intent(), config, undefined, facts).action).toBe(
      'paused',
    );
    expect(
      decidePlan({ ...row, isPaused: true, state: 'INACTIVE' }, intent(), config, undefined, facts).action,
    ).toBe('paused');
  });

  it("a delta asks Kombo once while the integration's state is unknown", () => {
    const delta = intent({ models: ['hris_groups'], triggers: ['data-changed'] });
    expect(decidePlan({ ...row, state: null }, delta, config, undefined, facts)).toEqual({
      action: 'read-remote',
    });
    expect(decidePlan({ ...row, state: null }, delta, config, remote, facts).action).toBe('plan');
  });

  it('a data-changed delta runs the enabled models it names, without asking Kombo', () => {
    const decision = decidePlan(
      row,
      intent({ models: ['hris_groups', 'ats_jobs'], triggers: ['data-changed'] }),
      config,
      undefined,
      facts,
    );
    expect(decision).toEqual({
      action: 'plan',
      plan: { models: ['hris_groups'], mode: 'delta', trigger: 'data-changed' },
      clearsDataExpired: false,
    });
  });

  it('full passes handed back run in full within a delta plan; a full plan needs no list of them', () => {
    const handedBack = intent({
      models: ['hris_groups'],
      fullModels: ['hris_employees', 'ats_jobs'],
      triggers: ['manual'],
    });
    expect(decidePlan(row, handedBack, config, undefined, facts)).toEqual({
      action: 'plan',
      plan: {
        models: ['hris_employees', 'hris_groups'],
        mode: 'delta',
        fullModels: ['hris_employees'],
        trigger: 'manual',
      },
      clearsDataExpired: false,
    });
    const full = decidePlan(row, { ...handedBack, full: true }, config, remote, facts);
    expect(full.action === 'plan' && full.plan).toMatchObject({ mode: 'full' });
    expect(full.action === 'plan' && full.plan?.fullModels).toBeUndefined();
    // Nothing but full passes handed back: a full plan.
    const onlyFull = decidePlan(
      row,
      intent({ models: [], fullModels: ['hris_groups'] }),
      config,
      remote,
      facts,
    );
    expect(onlyFull.action === 'plan' && onlyFull.plan).toEqual({
      models: ['hris_groups'],
      mode: 'full',
      trigger: 'schedule:safety-net',
    });
  });

  it('a delta naming no enabled model plans no run', () => {
    const decision = decidePlan(row, intent({ models: ['ats_jobs'] }), config, undefined, facts);
    expect(decision).toEqual({ action: 'plan', plan: null, clearsDataExpired: false });
  });

  it('a run of every model asks for Kombo’s view first, then leaves out what Kombo does not serve', () => {
    expect(decidePlan(row, intent(), config, undefined, facts)).toEqual({ action: 'read-remote' });
    const decision = decidePlan(
      row,
      intent(),
      config,
      { read_models: [{ id: 'hris_groups', is_available: false }] },
      facts,
    );
    expect(decision).toEqual({
      action: 'plan',
      plan: {
        models: ['hris_employees', 'hris_employments'],
        mode: 'delta',
        trigger: 'schedule:safety-net',
        unavailable: ['hris_groups'],
      },
      clearsDataExpired: false,
    });
  });

  it('the initial sync after integration-created runs every model in full without asking Kombo', () => {
    const created = { id: 'personio:1', tool: 'personio', category: 'HRIS' };
    const decision = decidePlan(
      row,
      intent({ models: [], full: true, created, triggers: ['integration-created'] }),
      config,
      undefined,
      facts,
    );
    expect(decision.action === 'plan' && decision.plan).toEqual({
      models: ['hris_employees', 'hris_employments', 'hris_groups'],
      mode: 'full',
      trigger: 'integration-created',
    });
  });

  it('first seen runs in full; resumed runs every model as a delta, triggered by the state', () => {
    const firstSeen = decidePlan(row, intent({ models: [] }), config, remote, {
      isResumed: false,
      isFirstSeen: true,
    });
    expect(firstSeen.action === 'plan' && firstSeen.plan?.mode).toBe('full');
    const resumed = decidePlan(row, intent({ models: [], triggers: [] }), config, remote, {
      isResumed: true,
      isFirstSeen: false,
    });
    expect(resumed.action === 'plan' && resumed.plan).toEqual({
      models: ['hris_employees', 'hris_employments', 'hris_groups'],
      mode: 'delta',
      trigger: 'state:active',
    });
  });

  it('a new data_expired_at is to be recorded; a cleared one makes the run the full resync', () => {
    const expired = decidePlan(row, intent(), config, { data_expired_at: '2026-01-02T00:00:00.000Z' }, facts);
    expect(expired).toMatchObject({
      action: 'plan',
      dataExpiredAt: new Date('2026-01-02T00:00:00.000Z'),
      clearsDataExpired: false,
    });
    const same = decidePlan(
      { ...row, dataExpiredAt: new Date('2026-01-02T00:00:00.000Z') },
      intent(),
      config,
      { data_expired_at: '2026-01-02T00:00:00.000Z' },
      facts,
    );
    expect(same).not.toHaveProperty('dataExpiredAt');
    const cleared = decidePlan(
      { ...row, dataExpiredAt: new Date('2026-01-02T00:00:00.000Z') },
      intent(),
      config,
      remote,
      facts,
    );
    expect(cleared).toMatchObject({
      action: 'plan',
      plan: { mode: 'full', clearsDataExpired: true },
      clearsDataExpired: true,
    });
  });
});
