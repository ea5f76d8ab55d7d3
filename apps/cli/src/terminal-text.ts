/**
 * Characters a terminal may act on instead of printing: C0 controls (ESC starts colour, cursor, screen-clearing and
 * OSC title/clipboard/hyperlink sequences; CR and BS overwrite what was printed), DEL, C1 controls (U+009B is a
 * one-byte CSI), the line and paragraph separators, and the bidirectional controls that reorder what is shown.
 * Tab and line feed are matched too: {@link terminalText} turns them into spaces, {@link neutraliseLines} keeps them.
 */
// eslint-disable-next-line no-control-regex -- finding control characters is what this pattern is for
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** `\x1b`, `\u202e`: how a neutralised character is shown, so an operator sees it was there. */
function visibleEscape(char: string): string {
  const code = char.charCodeAt(0);
  return code <= 0xff
    ? `\\x${code.toString(16).padStart(2, '0')}`
    : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** Text longer than this (in code points) is cut by default; a table cell or an id never needs more. */
export const DEFAULT_TERMINAL_TEXT_LENGTH = 200;

/**
 * Makes one value (text from Kombo, an id, an error message) safe to print as part of a line: every character a
 * terminal could act on is shown as an escape (`ESC[2J` prints as `\x1b[2J`), runs of whitespace (tabs, line feeds)
 * become one space, and the result is cut to `maxLength` code points (default
 * {@link DEFAULT_TERMINAL_TEXT_LENGTH}) ending with `…`. `null`/`undefined` become ''. Every human-readable output of
 * the CLI passes the values it did not write itself through here.
 */
export function terminalText(value: unknown, maxLength = DEFAULT_TERMINAL_TEXT_LENGTH): string {
  if (value === null || value === undefined) return '';
  const oneLine = String(value)
    .replace(/[\t\n\v\f\r]+/g, ' ')
    .replace(UNSAFE, visibleEscape);
  const chars = Array.from(oneLine);
  return chars.length > maxLength ? `${chars.slice(0, Math.max(0, maxLength - 1)).join('')}…` : oneLine;
}

/**
 * The last guard before a terminal, applied by the CLI's {@link Output} to everything it writes: the characters of
 * {@link terminalText} are shown as escapes, except line feeds and tabs, which keep their layout. Lengths are
 * bounded where the values are formatted ({@link terminalText}), not here, so `--json` output passes unchanged.
 */
export function neutraliseLines(text: string): string {
  return text.replace(UNSAFE, (char) => (char === '\n' || char === '\t' ? char : visibleEscape(char)));
}

/**
 * JSON for `--json`: `JSON.stringify(value, null, 2)` with the characters JSON leaves raw but a terminal may act
 * on (DEL, C1 controls, U+2028/2029, bidirectional controls) written as `\u` escapes. The same JSON value, so a
 * parser reads exactly what was stored; {@link neutraliseLines} then has nothing to change.
 */
export function terminalJson(value: unknown): string {
  // Raw C0 characters only occur between tokens (JSON escapes them in strings): the line feeds of the layout.
  return (JSON.stringify(value, null, 2) ?? 'null').replace(UNSAFE, (char) =>
    char === '\n' ? char : `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
