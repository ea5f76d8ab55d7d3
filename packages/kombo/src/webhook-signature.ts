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

/**
 * Checks the `X-Kombo-Signature` header against the raw request bytes (never re-serialised JSON).
 * Accepts several secrets so a secret can be rotated without dropping webhooks; every secret is checked in
 * constant time. Returns false for a missing or empty header, or when no secret is configured.
 */
export function verifyWebhook(
  rawBody: Buffer,
  header: string | undefined,
  secrets: readonly string[],
): boolean {
  if (!header) return false;
  const given = Buffer.from(normalizeSignature(header), 'utf8');
  if (given.length === 0) return false;
  let isValid = false;
  for (const secret of secrets) {
    if (!secret) continue;
    const expected = Buffer.from(signWebhook(rawBody, secret), 'utf8');
    // timingSafeEqual throws on different lengths; the length of a valid digest is public anyway.
    if (expected.length === given.length && timingSafeEqual(expected, given)) isValid = true;
  }
  return isValid;
}
