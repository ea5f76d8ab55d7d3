import { describe, expect, it } from '@jest/globals';
import { canonicalJson, contentHash } from './content-hash.js';

describe('canonicalJson', () => {
  it('sorts keys recursively, inside arrays too, and drops whitespace', () => {
    const text = '{ "b": 1, "a": { "z": [ { "y": true, "x": null } ], "c": "s" } }';
    expect(canonicalJson(JSON.parse(text))).toBe('{"a":{"c":"s","z":[{"x":null,"y":true}]},"b":1}');
  });

  it('keeps array order, which is content', () => {
    expect(canonicalJson([2, 1])).toBe('[2,1]');
    expect(contentHash([2, 1])).not.toBe(contentHash([1, 2]));
  });

  it('prints numbers as JavaScript does, so 1.0, 1 and 1e0 agree', () => {
    expect(canonicalJson(JSON.parse('{"n":1.0,"m":1e0,"f":0.10}'))).toBe('{"f":0.1,"m":1,"n":1}');
  });

  it('escapes strings and keys as JSON, and replaces NUL in string values with U+FFFD as the mirror does', () => {
    expect(canonicalJson({ 'k"ey': 'a\u0000b\n' })).toBe('{"k\\"ey":"a\uFFFDb\\n"}');
    expect(contentHash({ name: 'a\u0000b' })).toBe(contentHash({ name: 'a\uFFFDb' }));
  });

  it('leaves out undefined members and writes undefined array items and non-finite numbers as null', () => {
    expect(canonicalJson({ a: undefined, b: [undefined, Number.NaN, Infinity] })).toBe(
      '{"b":[null,null,null]}',
    );
  });

  it('refuses values JSON cannot carry', () => {
    expect(() => canonicalJson({ f: () => 1 })).toThrow(TypeError);
    expect(() => canonicalJson(1n)).toThrow(TypeError);
  });
});

describe('contentHash', () => {
  it('is equal for the same content in another key order and spacing, different for other content', () => {
    const kombo = JSON.parse('{"id":"e1","first_name":"Ada","custom_fields":{"b":2,"a":[1,{"y":1,"x":2}]}}');
    const mirror = JSON.parse(
      '{ "custom_fields": { "a": [ 1, { "x": 2, "y": 1 } ], "b": 2.0 }, "first_name": "Ada", "id": "e1" }',
    );
    expect(contentHash(kombo)).toBe(contentHash(mirror));
    expect(contentHash(kombo)).not.toBe(contentHash({ ...mirror, first_name: 'Bob' }));
    expect(contentHash({ a: null })).not.toBe(contentHash({}));
    expect(contentHash({ a: '1' })).not.toBe(contentHash({ a: 1 }));
  });

  it('is a 43-character base64url SHA-256', () => {
    expect(contentHash({})).toMatch(/^[\w-]{43}$/);
  });
});
