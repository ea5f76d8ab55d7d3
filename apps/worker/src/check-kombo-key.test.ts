import { describe, expect, it } from '@jest/globals';
import { komboRegionOf } from './check-kombo-key.js';

describe('komboRegionOf', () => {
  it('names EU, US and anything else', () => {
    expect(komboRegionOf('https://api.kombo.dev/v1')).toBe('EU');
    expect(komboRegionOf('https://api.us.kombo.dev/v1')).toBe('US');
    expect(komboRegionOf('http://127.0.0.1:4010/v1')).toBe('other (http://127.0.0.1:4010)');
    expect(komboRegionOf('nonsense')).toBe('other (not a URL)');
  });
});
