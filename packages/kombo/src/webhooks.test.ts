import { describe, expect, it } from '@jest/globals';
import { parseWebhookEvent } from './webhooks.js';

const endUser = { organization_name: 'Acme, Inc.', creator_email: null, origin_id: '36123' };

describe('parseWebhookEvent', () => {
  it('parses data-changed with unknown model names, tools and categories (open enums)', () => {
    const result = parseWebhookEvent({
      id: 'evt_1',
      type: 'data-changed',
      data: {
        integration_id: 'newtool:abc',
        integration_tool: 'newtool',
        integration_category: 'PAYROLL',
        changed_models: [{ name: 'hris_employees' }, { name: 'hris_brand_new_model' }],
        added_later_by_kombo: true,
      },
    });
    expect(result.ok).toBe(true);
    if (!result.ok || result.event.type !== 'data-changed') throw new Error('expected data-changed');
    expect(result.event.data.changed_models.map((m) => m.name)).toEqual([
      'hris_employees',
      'hris_brand_new_model',
    ]);
    expect(result.event.data['added_later_by_kombo']).toBe(true);
  });

  it('parses the legacy remote-event-received', () => {
    const result = parseWebhookEvent({
      id: 'evt_2',
      type: 'remote-event-received',
      data: {
        integration_id: 'personio:abc',
        integration_tool: 'personio',
        integration_category: 'HRIS',
        end_user: endUser,
      },
    });
    expect(result.ok && result.event.type).toBe('remote-event-received');
  });

  it('turns an unknown type into an unknown event, never an error', () => {
    const result = parseWebhookEvent({ id: 'evt_3', type: 'assessment:order-received', data: { x: 1 } });
    expect(result).toEqual({
      ok: true,
      event: { type: 'unknown', id: 'evt_3', originalType: 'assessment:order-received', data: { x: 1 } },
    });
  });

  it('rejects a body that is not an event envelope', () => {
    for (const body of [
      null,
      'text',
      [],
      {},
      { id: '', type: 'data-changed', data: {} },
      { id: 'e', data: {} },
    ]) {
      const result = parseWebhookEvent(body);
      expect(result.ok).toBe(false);
    }
  });

  it('rejects a known type whose payload breaks its schema, naming the type', () => {
    const result = parseWebhookEvent({ id: 'evt_4', type: 'data-changed', data: { integration_id: 'a:b' } });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toContain('data-changed');
    expect(result.error).toContain('changed_models');
  });

  it('accepts Kombo integration ids and refuses control characters and overlong ids, naming the field', () => {
    const dataChanged = (integrationId: string) =>
      parseWebhookEvent({
        id: 'evt_5',
        type: 'data-changed',
        data: {
          integration_id: integrationId,
          integration_tool: 'personio',
          integration_category: 'HRIS',
          changed_models: [],
        },
      });
    const created = (integrationId: string) =>
      parseWebhookEvent({
        id: 'evt_6',
        type: 'integration-created',
        data: { id: integrationId, tool: 'personio', category: 'HRIS', end_user: endUser },
      });
    for (const id of ['personio:8d1hpPsbK7sY2uNK8cBoTTm3', 'a', 'x'.repeat(256), 'hibob:Ünïcode id']) {
      expect(dataChanged(id).ok).toBe(true);
      expect(created(id).ok).toBe(true);
    }
    for (const id of ['a\u0000b', '\u0000', 'a\tb', 'a\u007fb', 'a\u0085b']) {
      const result = dataChanged(id);
      expect(!result.ok && result.error).toMatch(
        /must not contain control characters[\s\S]*data\.integration_id/,
      );
      const lifecycle = created(id);
      expect(!lifecycle.ok && lifecycle.error).toMatch(/must not contain control characters[\s\S]*data\.id/);
    }
    for (const id of ['', 'x'.repeat(257)]) {
      expect(dataChanged(id).ok).toBe(false);
      expect(created(id).ok).toBe(false);
    }
  });

  it('checks date-times of sync-finished', () => {
    const data = {
      sync_id: 's1',
      sync_state: 'SOMETHING_NEW',
      sync_started_at: '2021-09-01T12:00:00.000Z',
      sync_ended_at: 'yesterday',
      sync_duration_seconds: 1800,
      integration_id: 'personio:abc',
      integration_tool: 'personio',
      integration_category: 'HRIS',
      end_user: endUser,
      log_url: 'https://app.kombo.dev/logs/1',
    };
    expect(parseWebhookEvent({ id: 'e', type: 'sync-finished', data }).ok).toBe(false);
    const fixed = { ...data, sync_ended_at: '2021-09-01T12:30:00.000Z' };
    expect(parseWebhookEvent({ id: 'e', type: 'sync-finished', data: fixed }).ok).toBe(true);
  });
});
