/** Deterministic, allocation-light randomness and Kombo-style ids for the generated data. */

/** FNV-1a 32-bit hash of a string. */
export function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** Mixes numbers into one well-distributed 32-bit value (murmur3 finalizer per step). */
export function mix(...values: number[]): number {
  let h = 0x9e3779b9;
  for (const value of values) {
    h ^= value >>> 0;
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}

/** mulberry32: a tiny seeded PRNG; one instance per generated record. */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(minInclusive: number, maxInclusive: number): number {
    return minInclusive + Math.floor(this.next() * (maxInclusive - minInclusive + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }
  chance(probability: number): boolean {
    return this.next() < probability;
  }
}

const ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
const DIGIT = new Map([...ALPHABET].map((char, i) => [char, i]));

function base58(value: number, width: number): string {
  let out = '';
  let rest = value >>> 0;
  for (let i = 0; i < width; i++) {
    out = ALPHABET[rest % 58] + out;
    rest = Math.floor(rest / 58);
  }
  return out;
}

function unbase58(text: string): number | undefined {
  let value = 0;
  for (const char of text) {
    const digit = DIGIT.get(char);
    if (digit === undefined) return undefined;
    value = value * 58 + digit;
  }
  return value;
}

const SCRAMBLE = 0x9e3779b1;
const UNSCRAMBLE = (() => {
  let inverse = SCRAMBLE;
  for (let i = 0; i < 5; i++) inverse = Math.imul(inverse, 2 - Math.imul(SCRAMBLE, inverse));
  return inverse >>> 0;
})();

/**
 * Kombo-looking 24-character base58 ids that encode (integration, model, index) reversibly, so an `ids` filter
 * maps straight back to record positions without any lookup table. Unique across integrations for one model.
 */
export class IdCodec {
  private readonly prefix: string;
  private readonly key: number;
  constructor(
    private readonly integrationHash: number,
    private readonly modelCode: number,
  ) {
    this.prefix = base58(mix(integrationHash), 6) + base58(mix(integrationHash, modelCode, 7), 6);
    this.key = mix(integrationHash, modelCode, 11);
  }
  encode(index: number): string {
    const scrambled = (Math.imul(index, SCRAMBLE) ^ this.key) >>> 0;
    return this.prefix + base58(scrambled, 6) + base58(mix(this.integrationHash, this.modelCode, index), 6);
  }
  /** The index an id encodes, or undefined for an id of another integration/model or a malformed one. */
  decode(id: string): number | undefined {
    if (id.length !== 24 || !id.startsWith(this.prefix)) return undefined;
    const scrambled = unbase58(id.slice(12, 18));
    if (scrambled === undefined) return undefined;
    const index = Math.imul((scrambled ^ this.key) >>> 0, UNSCRAMBLE) >>> 0;
    return this.encode(index) === id ? index : undefined;
  }
}

/** A random-looking base58 id of `length` characters from a seed (event ids, sync ids). */
export function randomId(rng: Rng, length = 24): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[Math.floor(rng.next() * 58)];
  return out;
}
