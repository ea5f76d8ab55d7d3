import { signWebhook } from '@kombo-sync/kombo';
import type { Logger } from '@kombo-sync/logger';

export interface WebhookSettings {
  url: string;
  secret: string;
  /** Probability that an event is sent twice with the same id (default 0). */
  duplicateRate?: number;
  /** Probability that an event is held back and sent after the next one (default 0). */
  reorderRate?: number;
  /** Probability that an event is never sent (default 0). */
  dropRate?: number;
  /** Quiet period before a `data-changed` per integration goes out, collecting its changed models (default 100 ms). */
  debounceMs?: number;
}

export interface SandboxWebhook {
  id: string;
  type: string;
  data: Record<string, unknown>;
}

export interface WebhookStats {
  sent: number;
  delivered: number;
  dropped: number;
  duplicated: number;
  reordered: number;
  failed: number;
}

const ATTEMPTS = 4;
const BACKOFF_MS = [200, 800, 2000];
const REORDER_HOLD_MS = 300;

/** Sends signed webhooks like Kombo: debounced data-changed, retries with backoff, optional chaos. */
export class WebhookSender {
  private settings: WebhookSettings | undefined;
  private readonly pendingChanges = new Map<
    string,
    { models: Set<string>; timer: NodeJS.Timeout; build: (models: string[]) => SandboxWebhook }
  >();
  private held: { event: SandboxWebhook; timer: NodeJS.Timeout } | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly timers = new Map<NodeJS.Timeout, () => void>();
  readonly stats: WebhookStats = {
    sent: 0,
    delivered: 0,
    dropped: 0,
    duplicated: 0,
    reordered: 0,
    failed: 0,
  };

  constructor(private readonly logger?: Logger) {}

  configure(settings: WebhookSettings | undefined): void {
    this.settings = settings;
  }

  get isConfigured(): boolean {
    return this.settings !== undefined;
  }

  /** Collects changed models of an integration; one data-changed goes out after `debounceMs` of quiet. */
  queueDataChanged(
    integrationId: string,
    models: readonly string[],
    build: (models: string[]) => SandboxWebhook,
  ): void {
    if (!this.settings || models.length === 0) return;
    const pending = this.pendingChanges.get(integrationId);
    if (pending) clearTimeout(pending.timer);
    const entry = pending ?? {
      models: new Set<string>(),
      timer: undefined as unknown as NodeJS.Timeout,
      build,
    };
    models.forEach((m) => entry.models.add(m));
    entry.timer = setTimeout(() => {
      this.pendingChanges.delete(integrationId);
      this.send(entry.build([...entry.models].sort()));
    }, this.settings.debounceMs ?? 100);
    this.pendingChanges.set(integrationId, entry);
  }

  /** Sends an event now (subject to drop / duplicate / reorder rates). */
  send(event: SandboxWebhook): void {
    const settings = this.settings;
    if (!settings) return;
    this.stats.sent += 1;
    if (Math.random() < (settings.dropRate ?? 0)) {
      this.stats.dropped += 1;
      return;
    }
    if (!this.held && Math.random() < (settings.reorderRate ?? 0)) {
      this.stats.reordered += 1;
      const timer = setTimeout(() => this.releaseHeld(), REORDER_HOLD_MS);
      this.held = { event, timer };
      return;
    }
    this.deliver(event);
    if (Math.random() < (settings.duplicateRate ?? 0)) {
      this.stats.duplicated += 1;
      this.deliver(event);
    }
    this.releaseHeld();
  }

  /** Resolves when nothing is debounced, held back or being delivered. */
  async flush(): Promise<void> {
    for (const [id, pending] of this.pendingChanges) {
      clearTimeout(pending.timer);
      this.pendingChanges.delete(id);
      this.send(pending.build([...pending.models].sort()));
    }
    this.releaseHeld();
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  /** Stops all timers; undelivered events are dropped. */
  close(): void {
    for (const pending of this.pendingChanges.values()) clearTimeout(pending.timer);
    this.pendingChanges.clear();
    if (this.held) clearTimeout(this.held.timer);
    this.held = undefined;
    this.settings = undefined;
    for (const [timer, resolve] of this.timers) {
      clearTimeout(timer);
      resolve();
    }
    this.timers.clear();
  }

  private releaseHeld(): void {
    if (!this.held) return;
    const { event, timer } = this.held;
    clearTimeout(timer);
    this.held = undefined;
    this.deliver(event);
  }

  private deliver(event: SandboxWebhook): void {
    const settings = this.settings;
    if (!settings) return;
    const body = JSON.stringify(event);
    const signature = signWebhook(body, settings.secret);
    const attempt = async (): Promise<void> => {
      for (let n = 0; n < ATTEMPTS; n++) {
        try {
          const response = await fetch(settings.url, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-kombo-signature': signature },
            body,
            signal: AbortSignal.timeout(10_000),
          });
          await response.arrayBuffer();
          if (response.ok) {
            this.stats.delivered += 1;
            return;
          }
          this.logger?.warn({ eventId: event.id, status: response.status }, 'webhook delivery rejected');
        } catch (err) {
          this.logger?.warn({ err, eventId: event.id }, 'webhook delivery failed');
        }
        if (n < ATTEMPTS - 1 && this.settings) await this.sleep(BACKOFF_MS[n] ?? 2000);
        if (!this.settings) break;
      }
      this.stats.failed += 1;
    };
    const promise = attempt().finally(() => this.inFlight.delete(promise));
    this.inFlight.add(promise);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.set(timer, resolve);
    });
  }
}
