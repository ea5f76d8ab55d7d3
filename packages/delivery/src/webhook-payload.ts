/** The `type` of the change webhooks. */
export const RECORDS_CHANGED_TYPE = 'records.changed';

/** What a change webhook's `data` holds: the change-feed message plus its place in the order. */
export interface RecordsChangedData {
  integrationId: string;
  model: string;
  /** The run that committed the change: every mirror row it names has `last_run_id` >= it. */
  runId: number;
  /** 1, 2, 3… per (integration, model) in commit order; delivered in this order to each endpoint. */
  sequence: number;
  /** Ids written (created or updated) and ids marked deleted; at most 250 in all per message. */
  changedIds: string[];
  deletedIds: string[];
  /** Kombo's time of the response that carried the change (ISO 8601). */
  komboTime: string;
}

/** The body of a change webhook (Standard Webhooks' recommended shape). */
export interface RecordsChangedPayload {
  type: typeof RECORDS_CHANGED_TYPE;
  /** When the change was committed to the mirror (ISO 8601). */
  timestamp: string;
  data: RecordsChangedData;
}

/** The `webhook-id` of a message: the same for every endpoint and every attempt. */
export const webhookIdOf = (messageId: number): string => `msg_${messageId}`;

/** The body text of a message (compact JSON: the bytes signed are the bytes sent). */
export function webhookBody(message: {
  integrationId: string;
  model: string;
  runId: number;
  seq: number;
  changedIds: readonly string[];
  deletedIds: readonly string[];
  komboTime: Date;
  createdAt: Date;
}): string {
  const payload: RecordsChangedPayload = {
    type: RECORDS_CHANGED_TYPE,
    timestamp: message.createdAt.toISOString(),
    data: {
      integrationId: message.integrationId,
      model: message.model,
      runId: message.runId,
      sequence: message.seq,
      changedIds: [...message.changedIds],
      deletedIds: [...message.deletedIds],
      komboTime: message.komboTime.toISOString(),
    },
  };
  return JSON.stringify(payload);
}
