/** `1h 2m`, `3m 4s`, `5.2s`, `120ms`; `–` for null. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '–';
  if (seconds < 1) return `${Math.round(seconds * 1000)}ms`;
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const total = Math.round(seconds);
  const days = Math.floor(total / 86_400);
  const hours = Math.floor((total % 86_400) / 3_600);
  const minutes = Math.floor((total % 3_600) / 60);
  if (days > 0) return `${days}d ${hours}h`;
  if (hours > 0) return `${hours}h ${minutes}m`;
  return `${minutes}m ${total % 60}s`;
}

/** A time (or ISO timestamp) as `2026-11-28 21:30:53Z`; `never` for null. */
export function formatTime(time: Date | string | null | undefined): string {
  if (!time) return 'never';
  const iso = time instanceof Date ? time.toISOString() : time;
  return iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

/** `12,345`. */
export function formatCount(value: number): string {
  return value.toLocaleString('en-US');
}

/** `text` cut to `max` characters (code points) with `…`, so one value cannot blow up a list page; '' for none. */
export function clip(text: string | null | undefined, max: number): string {
  if (!text) return '';
  const chars = Array.from(text);
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : text;
}
