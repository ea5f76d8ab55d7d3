import { describe, expect, it } from '@jest/globals';
import { memoryOutput } from './output.js';
import { neutraliseLines, terminalJson, terminalText } from './terminal-text.js';

const CLEAR_SCREEN = '\u001b[2J';
const SET_TITLE = '\u001b]0;pwned\u0007';
const C1_CSI = '\u009b31m';
const RIGHT_TO_LEFT = '\u202egnp.exe';

describe('terminalText', () => {
  it('shows escape sequences, C1 controls and bidirectional controls as text', () => {
    expect(terminalText(`a${CLEAR_SCREEN}b`)).toBe('a\\x1b[2Jb');
    expect(terminalText(SET_TITLE)).toBe('\\x1b]0;pwned\\x07');
    expect(terminalText(C1_CSI)).toBe('\\x9b31m');
    expect(terminalText(RIGHT_TO_LEFT)).toBe('\\u202egnp.exe');
    expect(terminalText('over\rwrite\bx\u007f')).toBe('over write\\x08x\\x7f');
  });

  it('keeps one line and cuts at the bound (code points, not UTF-16 units)', () => {
    expect(terminalText('a\n\tb\r\nc')).toBe('a b c');
    expect(terminalText('x'.repeat(20_156), 120)).toBe(`${'x'.repeat(119)}…`);
    expect(Array.from(terminalText('😀'.repeat(300))).length).toBe(200);
    expect(terminalText('😀'.repeat(3), 2)).toBe('😀…');
    expect(terminalText(null)).toBe('');
    expect(terminalText(42)).toBe('42');
  });
});

describe('neutraliseLines', () => {
  it('keeps line feeds and tabs, escapes everything else a terminal acts on', () => {
    expect(neutraliseLines(`a\tb\nc${CLEAR_SCREEN}\r`)).toBe('a\tb\nc\\x1b[2J\\x0d');
  });

  it('guards every line an Output writes', () => {
    const out = memoryOutput();
    out.out(`id ${SET_TITLE}`);
    out.err(`error ${CLEAR_SCREEN}`);
    expect(out.stdout).toEqual(['id \\x1b]0;pwned\\x07']);
    expect(out.stderr).toEqual(['error \\x1b[2J']);
  });
});

describe('terminalJson', () => {
  it('is the same JSON value, with nothing left for a terminal to act on', () => {
    const value = { id: `x${CLEAR_SCREEN}${C1_CSI}${RIGHT_TO_LEFT}\u2028`, n: 1, list: ['\u0000', null] };
    const text = terminalJson(value);
    expect(JSON.parse(text)).toEqual(value);
    expect(neutraliseLines(text)).toBe(text);
    // eslint-disable-next-line no-control-regex -- the control characters are what the test looks for
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u202e]/);
    expect(terminalJson(undefined)).toBe('null');
  });
});
