import type { MutateRequest } from './mutations.js';

export interface MutationEngineOptions {
  /** Total changes per second across the chosen integrations. */
  ratePerSecond: number;
  /** Relative weights of the change kinds (default updates 0.6, nestedUpdates 0.25, creates 0.1, deletes 0.05). */
  mix?: { creates?: number; updates?: number; nestedUpdates?: number; deletes?: number };
  /** Integrations to change (default: all live ones at each tick). */
  integrationIds?: string[];
}

const TICK_MS = 100;
const KINDS = ['creates', 'updates', 'nestedUpdates', 'deletes'] as const;

/** Applies changes at a steady rate by calling `apply` every 100 ms with the changes due. */
export class MutationEngine {
  private timer: NodeJS.Timeout | undefined;
  private carry = 0;
  private turn = 0;

  constructor(
    private readonly apply: (integrationId: string, request: MutateRequest) => void,
    private readonly liveIds: () => string[],
  ) {}

  get isRunning(): boolean {
    return this.timer !== undefined;
  }

  start(options: MutationEngineOptions): void {
    this.stop();
    const weights = { creates: 0.1, updates: 0.6, nestedUpdates: 0.25, deletes: 0.05, ...options.mix };
    const total = KINDS.reduce((sum, kind) => sum + (weights[kind] ?? 0), 0) || 1;
    this.timer = setInterval(() => {
      this.carry += (options.ratePerSecond * TICK_MS) / 1000;
      let due = Math.floor(this.carry);
      this.carry -= due;
      const ids = options.integrationIds ?? this.liveIds();
      if (ids.length === 0) return;
      while (due > 0) {
        const id = ids[this.turn++ % ids.length]!;
        const roll = ((this.turn * 0.618033988749895) % 1) * total;
        let acc = 0;
        const kind = KINDS.find((k) => (acc += weights[k] ?? 0) > roll) ?? 'updates';
        this.apply(id, { [kind]: 1 });
        due -= 1;
      }
    }, TICK_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.carry = 0;
  }
}
