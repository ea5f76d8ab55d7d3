import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { isModelName, type ModelName } from '@kombo-sync/catalog';
import { isFaultName } from './faults.js';
import { hasApiKey } from './routes/kombo-routes.js';
import { SandboxError, type SandboxCore } from './sandbox-core.js';
import { WEBHOOK_TYPES, type WebhookType } from './webhook-events.js';

type Body = Record<string, unknown>;

const body = (req: Request): Body => (req.body && typeof req.body === 'object' ? (req.body as Body) : {});

function need<T>(value: unknown, check: (v: unknown) => v is T, message: string): T {
  if (!check(value)) throw new SandboxError(400, message);
  return value;
}
const isString = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Integrations: create, delete, state, setup, models, data expiry, mutations, the truth of a model. */
function addIntegrationRoutes(router: Router, core: SandboxCore): void {
  router.post('/integrations', (req, res) => {
    res
      .status(201)
      .json(core.createIntegration(body(req) as Parameters<SandboxCore['createIntegration']>[0]));
  });
  router.delete('/integrations/:id', (req, res) => {
    core.deleteIntegration(req.params.id);
    res.status(204).end();
  });
  router.post('/integrations/:id/state', (req, res) => {
    core.setIntegrationState(req.params.id, need(body(req).state, isString, 'state is required') as never);
    res.json({ ok: true });
  });
  router.post('/integrations/:id/complete-setup', (req, res) => {
    core.completeSetup(req.params.id);
    res.json({ ok: true });
  });
  router.post('/integrations/:id/models/:model/disabled', (req, res) => {
    const isDisabled = body(req).disabled;
    core.disableModel(req.params.id, req.params.model as ModelName, isDisabled !== false);
    res.json({ ok: true });
  });
  router.post('/integrations/:id/data-expired', (req, res) => {
    const at = body(req).at;
    if (at !== null && (typeof at !== 'string' || Number.isNaN(Date.parse(at))))
      throw new SandboxError(400, 'at must be an ISO date-time or null');
    core.setDataExpired(req.params.id, at === null ? null : new Date(at));
    res.json({ ok: true });
  });
  router.post('/integrations/:id/field-definitions', (req, res) => {
    const { creates, updates, deletes } = body(req);
    const count = (value: unknown, name: string): number | undefined =>
      value === undefined ? undefined : need(value, isNumber, `${name} must be a number`);
    core.changeFieldDefinitions(req.params.id, {
      ...(creates === undefined ? {} : { creates: count(creates, 'creates') }),
      ...(updates === undefined ? {} : { updates: count(updates, 'updates') }),
      ...(deletes === undefined ? {} : { deletes: count(deletes, 'deletes') }),
    });
    res.json({ ok: true });
  });
  router.post('/integrations/:id/mutate', (req, res) => {
    res.json(core.mutate(req.params.id, body(req)));
  });
  router.get('/integrations/:id/truth/:model', (req, res) => {
    const model = req.params.model;
    if (!isModelName(model)) throw new SandboxError(404, `Unknown model ${model}`);
    res.json({ results: core.truth(req.params.id, model) });
  });
}

/** Background mutations, faults (random and next) and poisoned records. */
function addFaultRoutes(router: Router, core: SandboxCore): void {
  router.post('/mutations/start', (req, res) => {
    const b = body(req);
    core.startMutations({
      ratePerSecond: need(b.ratePerSecond, isNumber, 'ratePerSecond is required'),
      mix: b.mix as never,
      integrationIds: b.integrationIds as string[] | undefined,
    });
    res.json({ ok: true });
  });
  router.post('/mutations/stop', (_req, res) => {
    core.stopMutations();
    res.json({ ok: true });
  });
  router.put('/faults', (req, res) => {
    const b = body(req);
    for (const name of Object.keys((b.probability as Body | undefined) ?? {})) {
      if (!isFaultName(name)) throw new SandboxError(400, `Unknown fault ${name}`);
    }
    core.setFaults(b);
    res.json({ ok: true });
  });
  router.post('/faults/next', (req, res) => {
    const b = body(req);
    core.injectFault({ ...b, fault: need(b.fault, isFaultName, 'fault must be one of the known faults') });
    res.json({ ok: true });
  });
  router.post('/integrations/:id/poison', (req, res) => {
    const b = body(req);
    core.poisonRecord({
      integrationId: req.params.id,
      model: need(
        b.model,
        (v): v is ModelName => typeof v === 'string' && isModelName(v),
        'model must be a catalog model',
      ),
      recordId: need(b.recordId, isString, 'recordId is required'),
      text: need(b.text, isString, 'text is required'),
    });
    res.json({ ok: true });
  });
  router.delete('/integrations/:id/poison', (req, res) => {
    core.clearPoison(req.params.id);
    res.status(204).end();
  });
}

/** The webhook sender, request stats and Kombo's clock skew. */
function addWebhookAndClockRoutes(router: Router, core: SandboxCore): void {
  router.put('/webhooks', (req, res) => {
    const b = body(req);
    need(b.url, isString, 'url is required');
    need(b.secret, isString, 'secret is required');
    core.setWebhooks(b as never);
    res.json({ ok: true });
  });
  router.post('/webhooks/send', (req, res) => {
    const b = body(req);
    const type = need(
      b.type,
      (v): v is WebhookType => WEBHOOK_TYPES.includes(v as WebhookType),
      'unknown type',
    );
    res.json(
      core.sendWebhook({
        ...(type === 'connection-flow-failed'
          ? {}
          : { integrationId: need(b.integrationId, isString, 'integrationId is required') }),
        type,
        changedModels: b.changedModels as string[] | undefined,
        ...(isString(b.syncState) ? { syncState: b.syncState } : {}),
        ...(isString(b.tool) ? { tool: b.tool } : {}),
        ...(isString(b.category) ? { category: b.category } : {}),
        ...(isString(b.organizationName) ? { organizationName: b.organizationName } : {}),
      }),
    );
  });
  router.get('/stats', (_req, res) => {
    res.json(core.stats());
  });
  router.post('/stats/reset', (_req, res) => {
    core.resetStats();
    res.json({ ok: true });
  });
  router.put('/clock', (req, res) => {
    core.setClockSkew(need(body(req).skewMs, isNumber, 'skewMs must be a number'));
    res.json({ skewMs: core.clock.skewMs });
  });
}

/** The admin API's errors as JSON: the sandbox's own with their status, a bad JSON body 400, anything else 500. */
function adminErrorHandler(core: SandboxCore) {
  return (err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    if (err instanceof SandboxError) {
      res.status(err.status).json({ error: { code: 'SANDBOX_ERROR', message: err.message } });
      return;
    }
    const status = (err as { status?: number }).status;
    if (status === 400) {
      res.status(400).json({ error: { code: 'BAD_REQUEST', message: 'Invalid JSON body.' } });
      return;
    }
    core.logger?.error({ err }, 'sandbox admin request failed');
    res.status(500).json({ error: { code: 'INTERNAL', message: 'Internal error.' } });
  };
}

/** The admin API under /sandbox (same Bearer key), mapping 1:1 onto the SandboxCore methods. */
export function createAdminRouter(core: SandboxCore): Router {
  const router = Router();
  router.use(express.json({ limit: '1mb' }));
  router.use((req: Request, res: Response, next: NextFunction) => {
    if (!hasApiKey(req, core.apiKey)) {
      res.status(401).json({ error: { code: 'UNAUTHORIZED', message: 'Bearer API key required.' } });
      return;
    }
    next();
  });

  addIntegrationRoutes(router, core);
  addFaultRoutes(router, core);
  addWebhookAndClockRoutes(router, core);
  router.use(adminErrorHandler(core));
  return router;
}
