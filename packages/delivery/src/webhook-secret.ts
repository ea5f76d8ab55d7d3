import { randomBytes } from 'node:crypto';

/** Prefix of Standard Webhooks symmetric secrets. */
export const WEBHOOK_SECRET_PREFIX = 'whsec_';

/** A new signing secret: `whsec_` + base64 of 32 random bytes (the spec asks 24 to 64). */
export function generateWebhookSecret(): string {
  return `${WEBHOOK_SECRET_PREFIX}${randomBytes(32).toString('base64')}`;
}

/** The key bytes of a `whsec_` secret; throws a RangeError (never echoing the secret) when it is not one. */
export function webhookSecretKey(secret: string): Buffer {
  if (!secret.startsWith(WEBHOOK_SECRET_PREFIX)) throw new RangeError('not a whsec_ secret');
  const encoded = secret.slice(WEBHOOK_SECRET_PREFIX.length);
  const key = Buffer.from(encoded, 'base64');
  if (key.length < 24 || key.length > 64 || key.toString('base64') !== encoded)
    throw new RangeError('a whsec_ secret holds 24 to 64 bytes in base64');
  return key;
}
