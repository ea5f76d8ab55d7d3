import { createHmac } from 'node:crypto';
import { webhookSecretKey } from './webhook-secret.js';

export interface SignWebhookInput {
  /** `webhook-id`: the message's id, the same on every attempt. */
  id: string;
  /** `webhook-timestamp`: the attempt's time, seconds since the epoch. */
  timestampSeconds: number;
  /** The exact body bytes sent. */
  body: string;
  /** Current secret first; during a rotation the previous one too: one signature each. */
  secrets: readonly string[];
}

/**
 * The Standard Webhooks headers of one attempt: `webhook-signature` is `v1,<base64 HMAC-SHA256 of
 * "{id}.{timestamp}.{body}">` per secret, space-separated, so a receiver holding either secret verifies it.
 */
export function signWebhook({
  id,
  timestampSeconds,
  body,
  secrets,
}: SignWebhookInput): Record<string, string> {
  if (secrets.length === 0) throw new RangeError('at least one secret is needed');
  if (!Number.isInteger(timestampSeconds)) throw new RangeError('timestampSeconds must be an integer');
  const content = `${id}.${timestampSeconds}.${body}`;
  const signatures = secrets.map(
    (secret) => `v1,${createHmac('sha256', webhookSecretKey(secret)).update(content).digest('base64')}`,
  );
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestampSeconds),
    'webhook-signature': signatures.join(' '),
  };
}
