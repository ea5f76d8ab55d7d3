import { terminalText } from './terminal-text.js';

/** Most characters of one table cell: a long id or message is cut, so a row stays one readable line. */
export const MAX_CELL_LENGTH = 120;

/**
 * Pads rows into aligned columns separated by two spaces; the header row is followed by a dash rule.
 * Cells are made safe for a terminal and cut to {@link MAX_CELL_LENGTH} ({@link terminalText}); `null`/`undefined`
 * become `-`.
 */
export function formatTable(headers: readonly string[], rows: readonly (readonly unknown[])[]): string {
  const cells = [headers, ...rows].map((row) => headers.map((_, i) => cell(row[i])));
  const widths = headers.map((_, i) => Math.max(...cells.map((row) => row[i]?.length ?? 0)));
  const line = (row: string[]) =>
    row
      .map((text, i) => (i === row.length - 1 ? text : text.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const [head, ...body] = cells;
  return [line(head ?? []), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

function cell(value: unknown): string {
  if (value === null || value === undefined || value === '') return '-';
  if (value instanceof Date) return formatTime(value);
  return terminalText(value, MAX_CELL_LENGTH);
}

/** `2026-11-28 10:00:00Z` (UTC, seconds). */
export function formatTime(date: Date | null | undefined): string {
  if (!date) return '-';
  return `${date.toISOString().slice(0, 19).replace('T', ' ')}Z`;
}

/** A duration in the largest fitting unit: `45s`, `12m`, `3h 5m`, `2d 4h`; `-` for none. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '-';
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h ${minutes % 60}m`;
  return `${Math.floor(hours / 24)}d ${hours % 24}h`;
}

/** Shortens a message to `max` characters (default 60) for a table cell, safe for a terminal; `-` for none. */
export function truncate(text: string | null | undefined, max = 60): string {
  if (!text) return '-';
  return terminalText(text.replace(/\s+/g, ' '), max);
}
