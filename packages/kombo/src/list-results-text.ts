/**
 * The JSON text of each element of `data.results` in a list response body, exactly as Kombo sent it, or null when
 * the body has no such array at the top of its envelope, or more than one (duplicate keys: JSON.parse keeps the last,
 * so which one the parsed records came from would be a guess). Only meant for text JSON.parse has already accepted:
 * it follows the structure (strings, nesting, commas) and does not validate anything else.
 *
 * Why: the mirror stores each record's JSON and its hash. Slicing the text already received costs far less than
 * serialising every parsed record again, with less garbage (figures: bench/README.md, "Figures behind code
 * choices").
 */
export function listResultsText(body: string): string[] | null {
  // Per nesting level (1 = the envelope): is it an object, is its next string a key, the last key seen.
  const isObject: boolean[] = [false];
  const isKeyNext: boolean[] = [false];
  const keyAt: (string | null)[] = [null];
  let depth = 0;
  let resultsDepth = -1; // the level inside the results array while in it
  let isResultsSeen = false;
  let elementStart = -1;
  const elements: string[] = [];
  for (let i = 0; i < body.length; i++) {
    const c = body.charCodeAt(i);
    if (c === QUOTE) {
      const end = stringEnd(body, i);
      if (end < 0) return null;
      if (depth <= 2 && isObject[depth] && isKeyNext[depth]) {
        keyAt[depth] = body.slice(i + 1, end);
        isKeyNext[depth] = false;
      } else if (depth === resultsDepth && elementStart < 0) {
        elementStart = i;
      }
      i = end;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (depth === resultsDepth && elementStart < 0) elementStart = i;
      depth += 1;
      isObject[depth] = c === OPEN_BRACE;
      isKeyNext[depth] = c === OPEN_BRACE;
      keyAt[depth] = null;
      const isResults =
        c === OPEN_BRACKET && depth === 3 && keyAt[1] === 'data' && keyAt[2] === 'results' && isObject[2];
      if (isResults) {
        if (isResultsSeen) return null;
        isResultsSeen = true;
        resultsDepth = 3;
      }
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      if (depth === resultsDepth) {
        if (elementStart >= 0) elements.push(body.slice(elementStart, endWithoutSpace(body, i)));
        resultsDepth = -1;
      }
      depth -= 1;
    } else if (c === COMMA) {
      if (depth === resultsDepth) {
        if (elementStart < 0) return null;
        elements.push(body.slice(elementStart, endWithoutSpace(body, i)));
        elementStart = -1;
      } else if (isObject[depth]) {
        isKeyNext[depth] = true;
      }
    } else if (depth === resultsDepth && elementStart < 0 && !isSpace(c)) {
      elementStart = i; // a number, true, false or null
    }
  }
  return isResultsSeen && depth === 0 ? elements : null;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

const isSpace = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/** Index of the quote closing the string opened at `start` (a quote preceded by an even run of backslashes). */
function stringEnd(body: string, start: number): number {
  let quote = start;
  for (;;) {
    quote = body.indexOf('"', quote + 1);
    if (quote < 0) return -1;
    let before = quote - 1;
    while (body.charCodeAt(before) === BACKSLASH) before -= 1;
    if ((quote - 1 - before) % 2 === 0) return quote;
  }
}

function endWithoutSpace(body: string, end: number): number {
  let trimmed = end;
  while (isSpace(body.charCodeAt(trimmed - 1))) trimmed -= 1;
  return trimmed;
}
