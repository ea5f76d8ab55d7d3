// Long functions stay few: the production sources of apps/ and packages/ hold at most MAX_LONG_FUNCTIONS functions
// over LONG_FUNCTION_LINES lines, so a new one fails CI (split it into named steps, or lower the ceiling when one
// goes). `npx tsx test/support/function-lengths.ts` lists them, longest first.
import { describe, expect, it } from '@jest/globals';
import { ROOT } from './support/fleet.js';
import { functionLengths, LONG_FUNCTION_LINES, longFunctions } from './support/function-lengths.js';

/** The ceiling: the count reached when the longest were split (lower it as more are). */
const MAX_LONG_FUNCTIONS = 6;

describe('long functions', () => {
  it(`at most ${MAX_LONG_FUNCTIONS} functions of apps/ and packages/ run over ${LONG_FUNCTION_LINES} lines`, () => {
    const long = longFunctions(ROOT);
    const listed = long.map((fn) => `${fn.lines} ${fn.file}:${fn.line} ${fn.name}`);
    expect({ count: long.length, listed }).toEqual({
      count: Math.min(long.length, MAX_LONG_FUNCTIONS),
      listed,
    });
  });

  it('measures every kind of function from its first line to its last', () => {
    const body = (n: number) => Array.from({ length: n }, (_, i) => `  const v${i} = ${i};`).join('\n');
    const text = [
      `export function declared() {\n${body(3)}\n}`,
      `const arrow = () => {\n${body(1)}\n};`,
      `class C {\n  method() {\n${body(2)}\n  }\n}`,
      `const o = { prop: function () {\n${body(4)}\n} };`,
    ].join('\n');
    expect(functionLengths('x.ts', text).map(({ name, lines }) => [name, lines])).toEqual([
      ['declared', 5],
      ['arrow', 3],
      ['method', 4],
      ['prop', 6],
    ]);
  });
});
