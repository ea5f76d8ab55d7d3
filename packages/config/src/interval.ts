/** Shortest full-sync interval, for `SYNC_FULL_INTERVAL_MS` and an integration's own. */
export const MIN_FULL_INTERVAL_MS = 60_000;
/** Shortest safety-net interval, for `SYNC_SAFETY_NET_INTERVAL_MS` and an integration's own. */
export const MIN_SAFETY_NET_INTERVAL_MS = 10_000;

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Parses a duration an operator types: whole milliseconds (`90000`) or a number with a unit (`90s`, `30m`, `6h`,
 * `7d`, `1.5h`). Returns ms, or undefined when the text is not a duration.
 */
export function parseDurationMs(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/i.exec(text);
  if (!match) return undefined;
  const ms = Number(match[1]) * (UNIT_MS[(match[2] ?? 'ms').toLowerCase()] ?? 1);
  return Number.isSafeInteger(Math.round(ms)) ? Math.round(ms) : undefined;
}

/** A duration in the largest unit that divides it (`7d`, `6h`, `90s`, `1500ms`). */
export function formatDurationMs(ms: number): string {
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    const size = UNIT_MS[unit] as number;
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
