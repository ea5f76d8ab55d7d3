import { describe, expect, it } from '@jest/globals';
import { parseWebhookEvent, type WebhookEvent } from '@kombo-sync/kombo';
import { intentForEvent, keyedWork } from './intent-for-event.js';
import { events } from './testing/ingress-harness.js';

function parsed(body: unknown): WebhookEvent {
  const result = parseWebhookEvent(body);
  if (!result.ok) throw new Error(result.error);
  return result.event;
}

describe('intentForEvent', () => {
  it('maps data-changed names through the catalog and reports unknown ones', () => {
    expect(intentForEvent(parsed(events.dataChanged('i', ['hris_employees', 'brand_new_model'])))).toEqual({
      kind: 'work',
      integrationId: 'i',
      // Performance reviews embed employees (reviewee, reviewer), and their updated_after follows them.
      intent: { models: ['hris_employees', 'hris_performance_reviews'] },
      unknownModels: ['brand_new_model'],
    });
    expect(intentForEvent(parsed(events.dataChanged('i', ['brand_new_model'])))).toMatchObject({
      kind: 'ignore',
    });
  });

  it('asks for all models after a usable sync and for legacy remote events only', () => {
    expect(intentForEvent(parsed(events.syncFinished('i', 'SUCCEEDED')))).toMatchObject({
      intent: { models: 'all' },
    });
    expect(intentForEvent(parsed(events.syncFinished('i', 'RUNNING')))).toMatchObject({ kind: 'ignore' });
    expect(intentForEvent(parsed(events.remoteEventReceived('i')))).toMatchObject({
      intent: { models: 'all' },
    });
  });

  it('carries lifecycle data keyed by the integration id', () => {
    const created = parsed(events.integrationCreated('i'));
    expect(intentForEvent(created)).toMatchObject({ integrationId: 'i', intent: { full: true } });
    expect(intentForEvent(parsed(events.integrationDeleted('i')))).toMatchObject({ integrationId: 'i' });
    expect(intentForEvent(parsed(events.integrationStateChanged('i', 'ACTIVE')))).toMatchObject({
      intent: { state: { state: 'ACTIVE' } },
    });
    expect(intentForEvent(parsed({ id: 'x', type: 'new-type', data: {} }))).toEqual({
      kind: 'ignore',
      reason: 'unknown webhook type new-type',
    });
  });

  it("carries Kombo's health signals: state changes, every sync-finished, failed connection flows", () => {
    expect(intentForEvent(parsed(events.integrationStateChanged('i', 'INACTIVE'))).signal).toEqual({
      kind: 'state',
      integrationId: 'i',
      state: 'INACTIVE',
      setupStatus: 'COMPLETED',
      qaStatus: 'PASSED',
      updatedAt: '2026-01-02T00:00:00.000Z',
    });
    for (const state of ['SUCCEEDED', 'AUTHENTICATION_FAILED']) {
      expect(intentForEvent(parsed(events.syncFinished('i', state))).signal).toMatchObject({
        kind: 'sync-finished',
        syncState: state,
        logUrl: 'https://app.kombo.dev/env/test/logs/s1',
      });
    }
    expect(intentForEvent(parsed(events.connectionFlowFailed()))).toMatchObject({
      kind: 'ignore',
      signal: { kind: 'connection-flow-failed', tool: 'personio', organizationName: 'Acme, Inc.' },
    });
    expect(intentForEvent(parsed(events.dataChanged('i', ['hris_employees']))).signal).toBeUndefined();
  });
});

describe('keyedWork', () => {
  it("keys a named environment's integration ids, in the work and its health signal; the default's stay", () => {
    const id = 'personio:abc';
    const state = intentForEvent(parsed(events.integrationStateChanged(id, 'INACTIVE')));
    expect(keyedWork(state, undefined)).toEqual(state);
    expect(keyedWork(state, 'us')).toMatchObject({
      kind: 'work',
      integrationId: 'us/personio:abc',
      signal: { kind: 'state', integrationId: 'us/personio:abc', state: 'INACTIVE' },
    });
    const ignored = intentForEvent(parsed(events.syncFinished(id, 'FAILED')));
    expect(keyedWork(ignored, 'us')).toMatchObject({
      kind: 'ignore',
      integrationId: 'us/personio:abc',
      signal: { kind: 'sync-finished', integrationId: 'us/personio:abc' },
    });
  });
});
