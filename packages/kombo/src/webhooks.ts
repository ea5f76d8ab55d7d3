import { z } from 'zod';

/*
 * Webhook payload schemas, from the `webhooks` section of Kombo's OpenAPI spec (spec/openapi.json, plus the legacy
 * `remote-event-received` from spec/openapi-2025-11.json). Enums in the spec are typed as plain strings here and
 * objects are loose: Kombo adds models, tools, categories and fields over time, and a new value must never make
 * us drop a webhook.
 */

const isoDateTime = z
  .string()
  .refine((value) => !Number.isNaN(Date.parse(value)), 'expected an ISO date-time');

/** The end customer that connected the integration. */
export const webhookEndUserSchema = z.looseObject({
  organization_name: z.string(),
  creator_email: z.string().nullable().optional(),
  origin_id: z.string().nullable().optional(),
});

/** Longest integration id accepted; Kombo's `<tool>:<id>` ids are far shorter. */
const MAX_INTEGRATION_ID_LENGTH = 256;

/**
 * An integration id (`<tool>:<id>`, e.g. `personio:8d1hpPsbK7sY2uNK8cBoTTm3`): 1 to 256 characters, none of them a
 * control character. A NUL or another control character cannot be stored or keyed reliably downstream (Postgres
 * text rejects NUL), so such a webhook is refused with 400 instead of queueing a job that fails every attempt.
 */
const integrationIdSchema = z
  .string()
  .min(1)
  .max(MAX_INTEGRATION_ID_LENGTH, `must be at most ${MAX_INTEGRATION_ID_LENGTH} characters`)
  .regex(/^\P{Cc}*$/u, 'must not contain control characters (such as NUL)');

function eventSchema<TType extends string, TData extends z.ZodType>(type: TType, data: TData) {
  return z.looseObject({ id: z.string().min(1), type: z.literal(type), data });
}

export const dataChangedEventSchema = eventSchema(
  'data-changed',
  z.looseObject({
    integration_id: integrationIdSchema,
    integration_tool: z.string(),
    integration_category: z.string(),
    changed_models: z.array(z.looseObject({ name: z.string() })),
  }),
);

export const syncFinishedEventSchema = eventSchema(
  'sync-finished',
  z.looseObject({
    sync_id: z.string(),
    sync_state: z.string(),
    sync_started_at: isoDateTime,
    sync_ended_at: isoDateTime,
    sync_duration_seconds: z.number(),
    integration_id: integrationIdSchema,
    integration_tool: z.string(),
    integration_category: z.string(),
    end_user: webhookEndUserSchema,
    log_url: z.string().optional(),
  }),
);

export const integrationCreatedEventSchema = eventSchema(
  'integration-created',
  z.looseObject({
    id: integrationIdSchema,
    tool: z.string(),
    category: z.string(),
    end_user: webhookEndUserSchema,
  }),
);

export const integrationDeletedEventSchema = eventSchema(
  'integration-deleted',
  z.looseObject({
    id: integrationIdSchema,
    tool: z.string(),
    category: z.string(),
    end_user: webhookEndUserSchema,
    deleted_at: isoDateTime,
  }),
);

export const integrationStateChangedEventSchema = eventSchema(
  'integration-state-changed',
  z.looseObject({
    integration_id: integrationIdSchema,
    integration_tool: z.string(),
    integration_category: z.string(),
    end_user: webhookEndUserSchema,
    qa_status: z.string(),
    setup_status: z.string(),
    state: z.string(),
    updated_at: isoDateTime,
  }),
);

export const connectionFlowFailedEventSchema = eventSchema(
  'connection-flow-failed',
  z.looseObject({
    integration_tool: z.string(),
    integration_category: z.string(),
    end_user: webhookEndUserSchema,
    log_url: z.string().optional(),
  }),
);

/** Legacy (deprecated by Kombo, still delivered to old subscriptions). */
export const remoteEventReceivedEventSchema = eventSchema(
  'remote-event-received',
  z.looseObject({
    integration_id: integrationIdSchema,
    integration_tool: z.string(),
    integration_category: z.string(),
    end_user: webhookEndUserSchema,
  }),
);

export type DataChangedEvent = z.infer<typeof dataChangedEventSchema>;
export type SyncFinishedEvent = z.infer<typeof syncFinishedEventSchema>;
export type IntegrationCreatedEvent = z.infer<typeof integrationCreatedEventSchema>;
export type IntegrationDeletedEvent = z.infer<typeof integrationDeletedEventSchema>;
export type IntegrationStateChangedEvent = z.infer<typeof integrationStateChangedEventSchema>;
export type ConnectionFlowFailedEvent = z.infer<typeof connectionFlowFailedEventSchema>;
export type RemoteEventReceivedEvent = z.infer<typeof remoteEventReceivedEventSchema>;
/** Any event type this package has no schema for (e.g. `assessment:order-received`), passed through unchecked. */
export interface UnknownWebhookEvent {
  type: 'unknown';
  id: string;
  originalType: string;
  data: unknown;
}

export type WebhookEvent =
  | DataChangedEvent
  | SyncFinishedEvent
  | IntegrationCreatedEvent
  | IntegrationDeletedEvent
  | IntegrationStateChangedEvent
  | ConnectionFlowFailedEvent
  | RemoteEventReceivedEvent
  | UnknownWebhookEvent;

/** Known webhook type → its schema. */
export const WEBHOOK_EVENT_SCHEMAS = {
  'data-changed': dataChangedEventSchema,
  'sync-finished': syncFinishedEventSchema,
  'integration-created': integrationCreatedEventSchema,
  'integration-deleted': integrationDeletedEventSchema,
  'integration-state-changed': integrationStateChangedEventSchema,
  'connection-flow-failed': connectionFlowFailedEventSchema,
  'remote-event-received': remoteEventReceivedEventSchema,
} as const;

export type KnownWebhookType = keyof typeof WEBHOOK_EVENT_SCHEMAS;

const envelopeSchema = z.looseObject({ id: z.string().min(1), type: z.string().min(1), data: z.unknown() });

function isKnownType(type: string): type is KnownWebhookType {
  return Object.hasOwn(WEBHOOK_EVENT_SCHEMAS, type);
}

/**
 * Validates a parsed webhook body. Known types are checked against their schema (extra fields kept); any other
 * type string becomes `{ type: 'unknown', originalType }`, never an error. Fails only for a body that is not a
 * Kombo event envelope (`{ id, type, data }`) or a known type whose payload breaks its schema.
 */
export function parseWebhookEvent(
  json: unknown,
): { ok: true; event: WebhookEvent } | { ok: false; error: string } {
  const envelope = envelopeSchema.safeParse(json);
  if (!envelope.success)
    return { ok: false, error: `invalid webhook envelope: ${z.prettifyError(envelope.error)}` };
  const { id, type, data } = envelope.data;
  if (!isKnownType(type)) return { ok: true, event: { type: 'unknown', id, originalType: type, data } };
  const parsed = WEBHOOK_EVENT_SCHEMAS[type].safeParse(json);
  if (!parsed.success)
    return { ok: false, error: `invalid ${type} webhook: ${z.prettifyError(parsed.error)}` };
  return { ok: true, event: parsed.data };
}
