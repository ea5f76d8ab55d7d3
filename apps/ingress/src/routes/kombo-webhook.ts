import express, { type Request, type RequestHandler, type Response } from 'express';
import { SpanKind, SpanStatusCode, trace, type Span, type Tracer } from '@opentelemetry/api';
import {
  createWebhookVerifier,
  integrationKey,
  parseWebhookEvent,
  WEBHOOK_SIGNATURE_HEADER,
  type WebhookEvent,
} from '@kombo-sync/kombo';
import { DEFAULT_ENVIRONMENT, type KomboEnvironmentWebhooks } from '@kombo-sync/config';
import { queueSignal, requestSync, requestSyncDeps } from '@kombo-sync/queue';
import type { IngressDeps, WebhookOutcome } from '../deps.js';
import { HttpError } from '../http-error.js';
import { intentForEvent, keyedWork } from '../intent-for-event.js';
import { withTimeout } from '../with-timeout.js';

const JSON_TYPES = ['application/json', 'application/*+json'];

const requireJson: RequestHandler = (req, _res, next) => {
  // Kombo sends exactly `application/json`; the full media-type match is for everything else.
  if (req.headers['content-type'] === 'application/json' || req.is(JSON_TYPES)) return next();
  next(new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', 'content-type must be application/json'));
};

/** Counts a webhook of the route's environment (`default` for `/webhooks/kombo`) by type and outcome. */
function webhookCounter(
  metrics: IngressDeps['metrics'],
  environment: KomboEnvironmentWebhooks | undefined,
): (type: string, outcome: WebhookOutcome) => void {
  const labels = { environment: environment?.name ?? DEFAULT_ENVIRONMENT };
  return (type, outcome) => metrics?.webhooks?.inc({ ...labels, type, outcome });
}

/**
 * `POST /webhooks/kombo` (or `/webhooks/kombo/<environment>`: that environment's secrets, its integrations keyed
 * `<environment>/<Kombo id>`): 415 unless JSON, 413 over the body limit, 401 unless the signature matches one of the
 * secrets (checked on the raw bytes before parsing), 400 for bad JSON or payload; then records the event's intent
 * (replays are recognised by event id) and makes sure a coalesced sync job exists in its lane (`requestSync`), after
 * queueing Kombo's health signal the event carries, if any (`queueSignal`, recorded at once by a worker):
 * 200 `{ ok: true }` once durable, 503 when Redis does not answer within `queueTimeoutMs`.
 */
export function komboWebhook(
  {
    redis,
    queues,
    signals,
    config,
    metrics,
    logger,
    tracer = trace.getTracer('@kombo-sync/ingress'),
  }: IngressDeps,
  environment?: KomboEnvironmentWebhooks,
): RequestHandler[] {
  const count = webhookCounter(metrics, environment);
  const syncRequest = requestSyncDeps(redis, queues, config);
  const route = environment ? `/webhooks/kombo/${environment.name}` : '/webhooks/kombo';
  // Only this environment's secrets: a webhook signed for another environment is rejected here.
  const verifySignature = createWebhookVerifier(environment?.webhookSecrets ?? config.webhookSecrets);

  const rawBody = express.raw({ type: () => true, limit: config.bodyLimitBytes });

  const handle = async (req: Request, res: Response, span: Span) => {
    const event = verifiedEvent(req, verifySignature, count);
    const type = event.type === 'unknown' ? event.originalType : event.type;
    if (span.isRecording())
      span.setAttributes({ 'kombo_sync.webhook.type': type, 'kombo_sync.webhook.event_id': event.id });
    const eventFields = { eventId: event.id, eventType: type };
    // Replays are recognised per environment: two environments' events never share a replay key.
    const eventId = integrationKey(environment?.name, event.id);
    const info = (fields: Record<string, unknown>, msg: string) => {
      if (logger.isLevelEnabled('info')) req.log.info({ ...eventFields, ...fields }, msg);
    };
    const unavailable = () => count(type, 'unavailable');
    const work = keyedWork(intentForEvent(event), environment?.name);
    if (work.unknownModels) info({ unknownModels: work.unknownModels }, 'changed models not in the catalog');
    const { signal } = work;
    // Recorded at once by any worker (not after the integration's running pass); idempotent by event id.
    if (signal) await whileQueueAnswers(() => queueSignal(signals, { eventId, signal }), config, unavailable);
    if (work.kind === 'ignore') {
      count(type, signal ? 'recorded' : 'ignored');
      info({ integrationId: work.integrationId, reason: work.reason }, 'webhook ignored');
      res.json({ ok: true });
      return;
    }
    const { integrationId } = work;
    span.setAttribute('kombo_sync.integration_id', integrationId);
    const intent = { ...work.intent, triggers: [type], requestIds: [req.id] };
    const request = { integrationId, intent, eventId, replayTtlSeconds: config.replayTtlSeconds };
    const sync = () => requestSync(syncRequest, { ...request, requestId: req.id });
    const { isReplay } = await whileQueueAnswers(sync, config, unavailable);
    span.setAttribute('kombo_sync.replay', isReplay);
    count(type, isReplay ? 'replay' : 'queued');
    info({ integrationId, isReplay }, isReplay ? 'webhook replay' : 'webhook queued');
    res.json({ ok: true });
  };

  const traced: RequestHandler = (req, res) =>
    traceWebhook(tracer, route, res, (span) => handle(req, res, span));

  return [requireJson, rawBody, traced];
}

type CountWebhook = (type: string, outcome: WebhookOutcome) => void;

/** The event of a signed request: 401 unless its signature matches a secret, 400 unless its body is a valid event. */
function verifiedEvent(
  req: Request,
  verifySignature: (body: Buffer, signature: string) => boolean,
  count: CountWebhook,
): WebhookEvent {
  const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
  const signature = req.get(WEBHOOK_SIGNATURE_HEADER);
  if (!signature) {
    count('unverified', 'signature_invalid');
    throw new HttpError(401, 'SIGNATURE_MISSING', 'missing X-Kombo-Signature header');
  }
  if (!verifySignature(body, signature)) {
    count('unverified', 'signature_invalid');
    req.log.warn('webhook signature invalid');
    throw new HttpError(401, 'SIGNATURE_INVALID', 'invalid X-Kombo-Signature');
  }
  const event = parseEvent(body);
  if ('error' in event) {
    count('invalid', 'payload_invalid');
    throw event.error;
  }
  return event;
}

/** What `queue` resolves to within `queueTimeoutMs`; else (or when it fails) 503, after `onUnavailable`. */
async function whileQueueAnswers<T>(
  queue: () => Promise<T>,
  { queueTimeoutMs }: { queueTimeoutMs: number },
  onUnavailable: () => void,
): Promise<T> {
  try {
    return await withTimeout(queue(), queueTimeoutMs);
  } catch (err) {
    onUnavailable();
    throw new HttpError(503, 'QUEUE_UNAVAILABLE', 'the queue is unavailable, retry later', { cause: err });
  }
}

/**
 * Runs `handle` in the webhook's server span: the root of the trace the job and the run continue (or link to). It
 * starts after the body is read (a span active across the body stream would not reach the handler) and carries ids
 * and the status, never the body, the signature or a secret.
 */
function traceWebhook(
  tracer: Tracer,
  route: string,
  res: Response,
  handle: (span: Span) => Promise<void>,
): Promise<void> {
  return tracer.startActiveSpan(
    `POST ${route}`,
    {
      kind: SpanKind.SERVER,
      attributes: { 'http.request.method': 'POST', 'http.route': route },
    },
    async (span) => {
      try {
        await handle(span);
        span.setAttribute('http.response.status_code', res.statusCode);
      } catch (err) {
        const status = err instanceof HttpError ? err.status : 500;
        span.setAttribute('http.response.status_code', status);
        if (status >= 500)
          span.setStatus({
            code: SpanStatusCode.ERROR,
            message: err instanceof HttpError ? err.code : 'INTERNAL',
          });
        throw err;
      } finally {
        span.end();
      }
    },
  );
}

function parseEvent(body: Buffer): WebhookEvent | { error: HttpError } {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    return { error: new HttpError(400, 'JSON_INVALID', 'request body is not valid JSON') };
  }
  const parsed = parseWebhookEvent(json);
  return parsed.ok ? parsed.event : { error: new HttpError(400, 'PAYLOAD_INVALID', parsed.error) };
}
