import { isModelName, type KomboCategory, type ModelName } from '@kombo-sync/catalog';
import type { Logger } from '@kombo-sync/logger';
import { createClock, type Clock } from './clock.js';
import { listPage } from './data/records.js';
import { Rng, mix, randomId } from './data/random.js';
import { resolveSizes } from './data/sizes.js';
import type {
  SandboxCustomFieldDefinition,
  FieldDefinitionChange,
  SandboxIntegrationFieldDefinition,
} from './data/field-definitions.js';
import { IntegrationState, type SandboxIntegrationState } from './data/store.js';
import { FaultController, type FaultInjection, type FaultSettings } from './faults.js';
import { MutationEngine, type MutationEngineOptions } from './mutation-engine.js';
import { mutate, type MutateRequest } from './mutations.js';
import { RequestStats, type SandboxStats } from './stats.js';
import { WebhookEvents, type WebhookType } from './webhook-events.js';
import { WebhookSender, type WebhookSettings, type WebhookStats } from './webhook-sender.js';

export interface CreateIntegrationOptions {
  id?: string;
  /** Tool id (default personio for HRIS, greenhouse for ATS, docebo for LMS). */
  tool?: string;
  /** Default HRIS. */
  category?: KomboCategory;
  /** Record counts per model name, or the `employees` / `candidates` / `users` (LMS) shorthand (default 50). */
  sizes?: Record<string, number>;
  /** The first N API requests of the integration answer 409 INTEGRATION.SETUP_SYNC_PENDING (default 0). */
  setupPendingRequests?: number;
  /** Custom fields defined for the integration (default 6; every other one mapped to an integration field). */
  customFields?: number;
  /** DEFAULT integration fields of the tool (default 12), besides the CUSTOM ones custom fields map to. */
  integrationFields?: number;
}

export interface SendWebhookOptions {
  /** Required except for `connection-flow-failed`, which names no integration (it failed to connect). */
  integrationId?: string;
  type: WebhookType;
  changedModels?: string[];
  /** `sync-finished`: Kombo's sync state (default SUCCEEDED), e.g. FAILED, PARTIALLY_FAILED, AUTHENTICATION_FAILED. */
  syncState?: string;
  /** `connection-flow-failed`: the tool, category and organisation that failed to connect (defaults: personio, HRIS). */
  tool?: string;
  category?: string;
  organizationName?: string;
}

const DEFAULT_TOOLS: Readonly<Record<string, string | undefined>> = {
  HRIS: 'personio',
  ATS: 'greenhouse',
  LMS: 'docebo',
};

export class SandboxError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The sandbox's state and in-process admin operations (the admin HTTP API maps 1:1 onto these). */
export class SandboxCore {
  readonly clock: Clock;
  readonly faults = new FaultController();
  readonly webhooks: WebhookSender;
  readonly requestStats = new RequestStats();
  readonly integrations = new Map<string, IntegrationState>();
  /** Raw record texts served in place of records, by `integrationId|model|recordId` (see {@link poisonRecord}). */
  readonly poisoned = new Map<string, string>();
  private readonly events: WebhookEvents;
  private readonly engine: MutationEngine;
  private createdCount = 0;

  constructor(
    readonly apiKey: string,
    readonly seed: number,
    clockSkewMs: number,
    readonly logger?: Logger,
  ) {
    this.clock = createClock(clockSkewMs);
    this.webhooks = new WebhookSender(logger);
    this.events = new WebhookEvents(seed, () => this.clock.now());
    this.engine = new MutationEngine(
      (id, request) => {
        if (this.integrations.has(id)) this.mutate(id, request);
      },
      () => [...this.integrations.keys()],
    );
  }

  createIntegration(options: CreateIntegrationOptions = {}): { id: string } {
    const category = options.category ?? 'HRIS';
    const defaultTool = DEFAULT_TOOLS[category];
    if (defaultTool === undefined) throw new SandboxError(400, `Unsupported category ${String(category)}`);
    const tool = options.tool ?? defaultTool;
    this.createdCount += 1;
    const rng = new Rng(mix(this.seed, 0x1d, this.createdCount));
    const id = options.id ?? `${tool}:${randomId(rng)}`;
    if (this.integrations.has(id)) throw new SandboxError(409, `Integration ${id} already exists`);
    const endUser = {
      organization_name: `Sandbox Org ${this.createdCount}`,
      creator_email: `admin${this.createdCount}@sandbox-org.example.com`,
      origin_id: `origin-${this.createdCount}`,
    };
    const state = new IntegrationState(
      id,
      tool,
      category,
      this.seed,
      resolveSizes(category, options.sizes),
      this.clock.now(),
      endUser,
      options.setupPendingRequests ?? 0,
      {
        ...(options.customFields === undefined ? {} : { customFields: options.customFields }),
        ...(options.integrationFields === undefined ? {} : { integrationFields: options.integrationFields }),
      },
    );
    if (state.setupPendingRequests > 0) state.setupStatus = 'FINAL_SYNC_PENDING';
    this.integrations.set(id, state);
    this.webhooks.send(this.events.build('integration-created', state));
    return { id };
  }

  deleteIntegration(id: string): void {
    const state = this.require(id);
    this.integrations.delete(id);
    this.webhooks.send(this.events.build('integration-deleted', state));
  }

  setIntegrationState(id: string, status: SandboxIntegrationState): void {
    if (!['ACTIVE', 'INVALID', 'INACTIVE'].includes(status))
      throw new SandboxError(400, `Unknown state ${status}`);
    const state = this.require(id);
    state.status = status;
    this.webhooks.send(this.events.build('integration-state-changed', state));
  }

  /**
   * Ends a pending setup (an integration created with `setupPendingRequests`): reads are served from now on,
   * setup_status becomes COMPLETED and an `integration-state-changed` webhook is sent.
   */
  completeSetup(id: string): void {
    const state = this.require(id);
    state.setupPendingRequests = 0;
    state.setupStatus = 'COMPLETED';
    this.webhooks.send(this.events.build('integration-state-changed', state));
  }

  /**
   * Turns a model of the integration off (`isDisabled`, default true) or on again, as a scope change in Kombo does:
   * its list answers 403 INTEGRATION.MODEL_DISABLED and `read_models[].is_available` is false while it is off.
   */
  disableModel(id: string, model: ModelName, isDisabled = true): void {
    const state = this.require(id);
    if (!state.store(model)) throw new SandboxError(400, `Model ${model} is not part of ${id}`);
    if (isDisabled) state.disabledModels.add(model);
    else state.disabledModels.delete(model);
  }

  /**
   * Sets (a time) or clears (null) the integration's `data_expired_at`, as Kombo does when a config change
   * invalidates the synced data and after its next successful sync.
   */
  setDataExpired(id: string, at: Date | null): void {
    this.require(id).dataExpiredAtMs = at === null ? null : at.getTime();
  }

  mutate(id: string, request: MutateRequest): { changedModels: string[] } {
    const state = this.require(id);
    for (const model of request.models ?? []) {
      if (!isModelName(model) || !state.store(model))
        throw new SandboxError(400, `Model ${model} is not part of ${id}`);
    }
    const changedModels = mutate(state, request, this.clock.now());
    this.webhooks.queueDataChanged(id, changedModels, (models) =>
      this.events.build('data-changed', state, models),
    );
    return { changedModels };
  }

  /**
   * Changes the integration's field definitions (custom fields created, relabelled, deleted with their integration
   * fields), as a customer editing them in Kombo does. Kombo sends no webhook for it.
   */
  changeFieldDefinitions(id: string, change: FieldDefinitionChange): void {
    this.require(id).fieldDefinitions.change(change);
  }

  /** The integration's field definitions as `GET /integrations/{id}/custom-fields` and `…/integration-fields` list them. */
  fieldDefinitions(id: string): {
    customFields: SandboxCustomFieldDefinition[];
    integrationFields: SandboxIntegrationFieldDefinition[];
  } {
    const { customFields, integrationFields } = this.require(id).fieldDefinitions;
    return {
      customFields: structuredClone(customFields),
      integrationFields: structuredClone(integrationFields),
    };
  }

  /** Every record of a model as the API returns it with include_deleted=true. */
  truth(id: string, model: ModelName): Record<string, unknown>[] {
    const state = this.require(id);
    if (!state.store(model)) throw new SandboxError(404, `Model ${model} is not part of ${id}`);
    const out: Record<string, unknown>[] = [];
    let position: number | null = 0;
    while (position !== null) {
      const page = listPage(state, model, { isIncludingDeleted: true }, position, 1000);
      out.push(...page.results);
      position = page.nextPosition;
    }
    return out;
  }

  stats(): SandboxStats {
    return this.requestStats.snapshot();
  }

  resetStats(): void {
    this.requestStats.reset();
  }

  setFaults(settings: FaultSettings): void {
    this.faults.set(settings);
  }

  injectFault(injection: FaultInjection): void {
    this.faults.inject(injection);
  }

  /**
   * From now on, wherever the list endpoint would send record `recordId` of `model` (any page, any filters), it sends
   * `text` verbatim instead: JSON text a real tool could produce and JSON.stringify cannot (a lone surrogate escape
   * `\ud800`, a NUL in a key, `1e1000000`), or a record that breaks the schema. `text` must be one JSON value.
   */
  poisonRecord(input: { integrationId: string; model: ModelName; recordId: string; text: string }): void {
    this.require(input.integrationId);
    try {
      JSON.parse(input.text);
    } catch {
      throw new SandboxError(400, 'text must be one JSON value');
    }
    this.poisoned.set(`${input.integrationId}|${input.model}|${input.recordId}`, input.text);
  }

  /** Serves the integration's poisoned records (or every integration's) as their data again. */
  clearPoison(integrationId?: string): void {
    for (const key of [...this.poisoned.keys()]) {
      if (integrationId === undefined || key.startsWith(`${integrationId}|`)) this.poisoned.delete(key);
    }
  }

  setWebhooks(settings: WebhookSettings | undefined): void {
    this.webhooks.configure(settings);
  }

  sendWebhook(options: SendWebhookOptions): { id: string } {
    const event =
      options.type === 'connection-flow-failed'
        ? this.events.connectionFlowFailed({
            tool: options.tool ?? 'personio',
            category: options.category ?? 'HRIS',
            endUser: {
              organization_name: options.organizationName ?? 'Sandbox Prospect',
              creator_email: 'admin@sandbox-prospect.example.com',
              origin_id: 'prospect-1',
            },
          })
        : this.events.build(
            options.type,
            this.require(options.integrationId ?? ''),
            options.changedModels ?? [],
            { ...(options.syncState === undefined ? {} : { syncState: options.syncState }) },
          );
    this.webhooks.send(event);
    return { id: event.id };
  }

  webhookStats(): WebhookStats {
    return { ...this.webhooks.stats };
  }

  flushWebhooks(): Promise<void> {
    return this.webhooks.flush();
  }

  setClockSkew(skewMs: number): void {
    this.clock.setSkew(skewMs);
  }

  startMutations(options: MutationEngineOptions): void {
    this.engine.start(options);
  }

  stopMutations(): void {
    this.engine.stop();
  }

  close(): void {
    this.engine.stop();
    this.webhooks.close();
  }

  require(id: string): IntegrationState {
    const state = this.integrations.get(id);
    if (!state) throw new SandboxError(404, `Integration ${id} not found`);
    return state;
  }
}
