import { createHmac } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { createWebhookVerifier, signWebhook, verifyWebhook } from './webhook-signature.js';

const body = Buffer.from('{"id":"evt_1","type":"data-changed","data":{"integration_id":"personio:abc"}}');
const secret = 'whsec_current';

describe('signWebhook', () => {
  it('is the base64url HMAC-SHA256 of the raw bytes, without padding', () => {
    const expected = createHmac('sha256', secret)
      .update(body)
      .digest('base64')
      .replace(/=+$/, '')
      .replace(/\+/g, '-')
      .replace(/\//g, '_');
    expect(signWebhook(body, secret)).toBe(expected);
    expect(signWebhook(body.toString('utf8'), secret)).toBe(expected);
    expect(signWebhook(body, secret)).not.toMatch(/[=+/]/);
  });
});

describe('verifyWebhook', () => {
  const signature = signWebhook(body, secret);

  it('accepts a good signature', () => {
    expect(verifyWebhook(body, signature, [secret])).toBe(true);
  });

  it('rejects a body with one tampered byte', () => {
    const tampered = Buffer.from(body);
    tampered[5] = tampered[5]! ^ 1;
    expect(verifyWebhook(tampered, signature, [secret])).toBe(false);
  });

  it('rejects a wrong secret', () => {
    expect(verifyWebhook(body, signature, ['whsec_other'])).toBe(false);
  });

  it('rejects a missing or empty header, and an empty secret list', () => {
    expect(verifyWebhook(body, undefined, [secret])).toBe(false);
    expect(verifyWebhook(body, '', [secret])).toBe(false);
    expect(verifyWebhook(body, '===', [secret])).toBe(false);
    expect(verifyWebhook(body, signature, [])).toBe(false);
    expect(verifyWebhook(body, signature, [''])).toBe(false);
  });

  it('accepts the second of two secrets while a secret is rotated', () => {
    const signedWithNew = signWebhook(body, 'whsec_next');
    expect(verifyWebhook(body, signedWithNew, [secret, 'whsec_next'])).toBe(true);
  });

  it('tolerates trailing padding, surrounding whitespace and standard base64', () => {
    const padded = createHmac('sha256', secret).update(body).digest('base64');
    expect(padded.endsWith('=')).toBe(true);
    expect(verifyWebhook(body, padded, [secret])).toBe(true);
    expect(verifyWebhook(body, `${signature}=`, [secret])).toBe(true);
    expect(verifyWebhook(body, ` ${signature} `, [secret])).toBe(true);
  });

  it('rejects a signature of a different length without throwing', () => {
    expect(verifyWebhook(body, signature.slice(0, -1), [secret])).toBe(false);
    expect(verifyWebhook(body, `${signature}AA`, [secret])).toBe(false);
  });
});

describe('createWebhookVerifier', () => {
  it('keeps accepting every secret while trying the one that matched last first', () => {
    const verify = createWebhookVerifier(['whsec_old', 'whsec_new']);
    const byNew = signWebhook(body, 'whsec_new');
    const byOld = signWebhook(body, 'whsec_old');
    expect(verify(body, byNew)).toBe(true);
    expect(verify(body, byOld)).toBe(true);
    expect(verify(body, byNew)).toBe(true);
    expect(verify(body, signWebhook(body, 'whsec_other'))).toBe(false);
    expect(verify(body, byNew)).toBe(true);
  });

  it('rejects everything when no non-empty secret is configured', () => {
    expect(createWebhookVerifier([])(body, signWebhook(body, ''))).toBe(false);
    expect(createWebhookVerifier([''])(body, signWebhook(body, ''))).toBe(false);
  });
});
