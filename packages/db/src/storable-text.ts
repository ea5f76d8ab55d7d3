const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * `text` with NUL characters and lone UTF-16 surrogates replaced by U+FFFD, the rest kept: Postgres's text and
 * jsonb refuse NUL, and jsonb refuses a lone surrogate (a JSON escape such as `\ud800` without its pair).
 */
export function storableString(text: string): string {
  return text.replace(LONE_SURROGATE, '\uFFFD').replaceAll('\u0000', '\uFFFD');
}
