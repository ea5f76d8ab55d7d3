import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header Kombo puts the webhook signature in (lower-case, as Node exposes incoming headers). */
export const WEBHOOK_SIGNATURE_HEADER = 'x-kombo-signature';

/**
 * Kombo's webhook signature of a raw request body: HMAC-SHA256 keyed with the webhook secret, digest encoded as
 * base64url without `=` padding.
 */
export function signWebhook(rawBody: Buffer | string, secret: string): string {
  return createHmac('sha256', secret).update(rawBody).digest('base64url');
}

/** Strips padding and whitespace and maps standard base64 to base64url, so equivalent encodings compare equal. */
function normalizeSignature(header: string): string {
  return header.trim().replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
}

/** Checks a raw body against its `X-Kombo-Signature` header; see {@link createWebhookVerifier}. */
export type WebhookVerifier = (rawBody: Buffer, header: string | undefined) => boolean;

/**
 * A verifier of `X-Kombo-Signature` headers against the raw request bytes (never re-serialised JSON), accepting
 * any of `secrets` so a secret can be rotated without dropping webhooks. Each comparison is constant-time. It stops
 * at the first matching secret and tries the secret that matched last first, so during a rotation a webhook costs
 * one HMAC, not one per secret (which secret matched is no secret; the signatures stay unguessable). Returns false
 * for a missing or empty header, or when no secret is configured.
 */
export function createWebhookVerifier(secrets: readonly string[]): WebhookVerifier {
  const keys = secrets.filter((secret) => secret.length > 0);
  let lastMatched = 0;
  const matches = (rawBody: Buffer, given: Buffer, index: number): boolean => {
    const expected = Buffer.from(signWebhook(rawBody, keys[index] ?? ''), 'utf8');
    // timingSafeEqual throws on different lengths; the length of a valid digest is public anyway.
    return expected.length === given.length && timingSafeEqual(expected, given);
  };
  return (rawBody, header) => {
    if (!header || keys.length === 0) return false;
    const given = Buffer.from(normalizeSignature(header), 'utf8');
    if (given.length === 0) return false;
    if (matches(rawBody, given, lastMatched)) return true;
    for (let index = 0; index < keys.length; index++) {
      if (index !== lastMatched && matches(rawBody, given, index)) {
        lastMatched = index;
        return true;
      }
    }
    return false;
  };
}

/** One-shot {@link createWebhookVerifier}: checks `header` against `rawBody` with any of `secrets`. */
export function verifyWebhook(
  rawBody: Buffer,
  header: string | undefined,
  secrets: readonly string[],
): boolean {
  return createWebhookVerifier(secrets)(rawBody, header);
}
