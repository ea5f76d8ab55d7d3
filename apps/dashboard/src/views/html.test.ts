import { describe, expect, it } from '@jest/globals';
import { escapeHtml, html, safeHref, trustedHtml } from './html.js';
import { formatDuration, formatTime } from './format.js';

describe('html', () => {
  it('escapes interpolated values, not the template or SafeHtml', () => {
    const name = '<script>alert("x")</script>';
    const out = html`<p title="${name}">${name}${trustedHtml('<b>ok</b>')}</p>`.value;
    expect(out).toBe(
      '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;">' +
        '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;<b>ok</b></p>',
    );
  });

  it('renders arrays and skips null, undefined and false', () => {
    const items = ['a&b', 'c'].map((item) => html`<li>${item}</li>`);
    const list = html`<ul>
      ${items}${null}${undefined}${false}${0}
    </ul>`;
    expect(list.value.replace(/\s+/g, '')).toBe('<ul><li>a&amp;b</li><li>c</li>0</ul>');
  });

  it('escapes quotes and backticks', () => {
    expect(escapeHtml(`'"\``)).toBe('&#39;&quot;&#96;');
  });

  it('only lets http(s) URLs into hrefs', () => {
    expect(safeHref('https://app.kombo.dev/logs/1')).toBe('https://app.kombo.dev/logs/1');
    expect(safeHref('javascript:alert(1)')).toBe('#');
    expect(safeHref(null)).toBe('#');
  });
});

describe('format', () => {
  it('formats durations and times', () => {
    expect(formatDuration(0.12)).toBe('120ms');
    expect(formatDuration(5.21)).toBe('5.2s');
    expect(formatDuration(3_725)).toBe('1h 2m');
    expect(formatDuration(null)).toBe('–');
    expect(formatTime('2026-11-28T21:30:53.123Z')).toBe('2026-11-28 21:30:53Z');
  });
});
