import { describe, expect, it } from '@jest/globals';
import { parseEndpointUrl, redactUrl } from './endpoint-url.js';

describe('endpoint URLs', () => {
  it('accepts http(s) only and never echoes the URL in errors', () => {
    expect(parseEndpointUrl('https://example.com/hooks?token=abc')).toBe(
      'https://example.com/hooks?token=abc',
    );
    expect(() => parseEndpointUrl('ftp://example.com/?token=abc')).toThrow(/^must be http or https$/);
    expect(() => parseEndpointUrl('not a url token=abc')).toThrow(/^not a valid URL$/);
    expect(() => parseEndpointUrl('https://example.com/#x')).toThrow(/fragment/);
  });

  it('redacts credentials and the query for display', () => {
    expect(redactUrl('https://user:pw@example.com:8443/hooks?token=abc')).toBe(
      'https://…@example.com:8443/hooks?…',
    );
    expect(redactUrl('http://example.com/a')).toBe('http://example.com/a');
  });
});
