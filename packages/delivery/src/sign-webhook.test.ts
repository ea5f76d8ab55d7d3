import { describe, expect, it } from '@jest/globals';
import { Webhook } from 'standardwebhooks';
import { signWebhook } from './sign-webhook.js';
import { generateWebhookSecret, webhookSecretKey } from './webhook-secret.js';

describe('signWebhook', () => {
  it('is verified by the standardwebhooks package with either secret during a rotation', () => {
    const current = generateWebhookSecret();
    const previous = generateWebhookSecret();
    const body = JSON.stringify({ type: 'records.changed', data: { ids: ['a', 'é'] } });
    const headers = signWebhook({
      id: 'msg_42',
      timestampSeconds: Math.floor(Date.now() / 1000),
      body,
      secrets: [current, previous],
    });
    expect(headers['webhook-signature']?.split(' ')).toHaveLength(2);
    for (const secret of [current, previous])
      expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
    expect(() => new Webhook(generateWebhookSecret()).verify(body, headers)).toThrow('No matching signature');
    expect(() => new Webhook(current).verify(`${body} `, headers)).toThrow('No matching signature');
  });

  it('refuses secrets that are not whsec_ with 24..64 bytes, without echoing them', () => {
    expect(webhookSecretKey(generateWebhookSecret())).toHaveLength(32);
    expect(() => webhookSecretKey('hunter2')).toThrow(/^not a whsec_ secret$/);
    expect(() => webhookSecretKey(`whsec_${Buffer.alloc(8).toString('base64')}`)).toThrow(/24 to 64/);
  });
});
