import { describe, expect, it } from '@jest/globals';
import { includeLua } from './include-lua.js';

describe('includeLua', () => {
  const fragments = {
    base: 'local function base() return 1 end',
    left: '--- @include "base"\nlocal function left() return base() end',
    right: "-- @include 'base'\nlocal function right() return base() + 1 end",
  };

  it('replaces include lines by their fragment, each fragment once, nested ones first', () => {
    const lua = includeLua('--- @include "left"\n--- @include "right"\nreturn left() + right()', fragments);
    expect(lua.match(/local function base/g)).toHaveLength(1);
    expect(lua.indexOf('function base')).toBeLessThan(lua.indexOf('function left'));
    expect(lua.indexOf('function left')).toBeLessThan(lua.indexOf('function right'));
    expect(lua).toContain('return left() + right()');
    expect(lua).not.toContain('@include');
  });

  it('refuses an unknown fragment and a cycle', () => {
    expect(() => includeLua('--- @include "missing"', fragments)).toThrow(/unknown fragment: missing/);
    expect(() => includeLua('--- @include "a"', { a: '--- @include "b"', b: '--- @include "a"' })).toThrow(
      /cycle: a -> b -> a/,
    );
  });

  it('leaves other comments alone', () => {
    expect(includeLua('-- include "x" is not an include\nreturn 1', fragments)).toBe(
      '-- include "x" is not an include\nreturn 1',
    );
  });
});
