/** One sample line of the Prometheus text format. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  /** Metric family name → declared TYPE. */
  types: Map<string, string>;
  samples: Sample[];
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const SAMPLE = new RegExp(`^(${NAME})(?:\\{(.*)\\})? (\\S+)(?: -?\\d+)?$`);
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

/** A sample value as Go's ParseFloat reads it (Prometheus does): NaN/Inf in any case. */
function parseValue(raw: string): number | undefined {
  const lower = raw.toLowerCase();
  if (lower === 'nan') return NaN;
  if (lower === '+inf' || lower === 'inf') return Infinity;
  if (lower === '-inf') return -Infinity;
  const value = Number(raw);
  return raw.trim() === '' || Number.isNaN(value) ? undefined : value;
}

/**
 * A strict little parser of the Prometheus text exposition format (0.0.4), for tests: throws on any line that is
 * not a HELP/TYPE comment or a well-formed sample, on a sample whose family has no TYPE, and on a bad value.
 */
export function parseExposition(text: string): Exposition {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  for (const [index, line] of text.split('\n').entries()) {
    if (line === '') continue;
    const fail = (why: string) => new Error(`line ${index + 1}: ${why}: ${line}`);
    if (line.startsWith('#')) {
      const match = new RegExp(`^# (HELP|TYPE) (${NAME}) ?(.*)$`).exec(line);
      if (!match) throw fail('malformed comment');
      if (match[1] === 'TYPE') {
        if (!TYPES.has(match[3] ?? '')) throw fail('unknown type');
        types.set(match[2] ?? '', match[3] ?? '');
      }
      continue;
    }
    const match = SAMPLE.exec(line);
    if (!match) throw fail('malformed sample');
    const [, name = '', labelText = '', rawValue = ''] = match;
    const value = parseValue(rawValue);
    if (value === undefined) throw fail('bad value');
    const family = name.replace(/_(bucket|sum|count|total|created)$/, '');
    if (!types.has(name) && !types.has(family)) throw fail('sample without TYPE');
    const labels: Record<string, string> = {};
    for (const label of labelText.matchAll(LABEL)) labels[label[1] ?? ''] = label[2] ?? '';
    samples.push({ name, labels, value });
  }
  return { types, samples };
}

/** The value of the first sample named `name` whose labels include `labels`; undefined when none. */
export function sampleValue(
  exposition: Exposition,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  return exposition.samples.find(
    (s) => s.name === name && Object.entries(labels).every(([key, value]) => s.labels[key] === value),
  )?.value;
}
