import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { parseWebhookEvent } from './webhooks.js';

interface SpecWebhooks {
  webhooks: Record<string, { post: { requestBody: { content: Record<string, { example?: unknown }> } } }>;
  components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
}

function loadSpec(file: string): SpecWebhooks {
  return JSON.parse(readFileSync(new URL(`../spec/${file}`, import.meta.url), 'utf8')) as SpecWebhooks;
}

const specs = {
  'openapi.json': loadSpec('openapi.json'),
  'openapi-2025-11.json': loadSpec('openapi-2025-11.json'),
};
const KNOWN = [
  'data-changed',
  'sync-finished',
  'integration-created',
  'integration-deleted',
  'integration-state-changed',
  'connection-flow-failed',
];

describe('webhook examples of the spec', () => {
  for (const [file, spec] of Object.entries(specs)) {
    for (const [type, hook] of Object.entries(spec.webhooks)) {
      const example = hook.post.requestBody.content['application/json']?.example;
      if (example === undefined) continue;
      it(`${file}: ${type} example parses`, () => {
        const result = parseWebhookEvent(example);
        if (!result.ok) throw new Error(result.error);
        const expectedType = KNOWN.includes(type) ? type : 'unknown';
        expect(result.event.type).toBe(expectedType);
      });
    }
  }

  it('has an example for every event we model in the current spec', () => {
    const withExamples = Object.entries(specs['openapi.json'].webhooks)
      .filter(([, hook]) => hook.post.requestBody.content['application/json']?.example !== undefined)
      .map(([type]) => type);
    expect(withExamples).toEqual(expect.arrayContaining(KNOWN));
  });

  it('still knows the legacy remote-event-received of the 2025-11 spec', () => {
    expect(Object.keys(specs['openapi-2025-11.json'].webhooks)).toContain('remote-event-received');
    const result = parseWebhookEvent({
      id: 'evt',
      type: 'remote-event-received',
      data: {
        integration_id: 'personio:CBNMt7dSNCzBdnRTx87dev4E',
        integration_tool: 'personio',
        integration_category: 'HRIS',
        end_user: { origin_id: '36123', creator_email: 'user@example.com', organization_name: 'Acme, Inc.' },
      },
    });
    expect(result.ok && result.event.type).toBe('remote-event-received');
  });
});
