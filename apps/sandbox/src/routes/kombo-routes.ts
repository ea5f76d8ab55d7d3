import { Router, type NextFunction, type Request, type Response } from 'express';
import { MODELS, type ModelSpec } from '@kombo-sync/catalog';
import { sendKomboError } from '../errors.js';
import { respondWithFault, type FaultDecision } from '../faults.js';
import type { IntegrationState } from '../data/store.js';
import type { SandboxCore } from '../sandbox-core.js';
import { serveList } from './list-route.js';
import { integrationResponse } from './integration-response.js';
import {
  FIELD_DEFINITION_LISTS,
  serveFieldDefinitions,
  type FieldDefinitionList,
} from './field-definitions-route.js';

/** True when the request carries `Authorization: Bearer <apiKey>`. */
export function hasApiKey(req: Request, apiKey: string): boolean {
  return req.headers.authorization === `Bearer ${apiKey}`;
}

/** Answers 401 without the API key; else counts the request (per integration, list requests by URL) until it closes. */
function authenticateAndCount(core: SandboxCore) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (!hasApiKey(req, core.apiKey)) {
      return sendKomboError(
        res,
        401,
        'PLATFORM.AUTHENTICATION_INVALID',
        'The API key is missing or invalid.',
      );
    }
    const integrationId = req.header('x-integration-id') ?? integrationIdFromPath(req.path);
    const isList = req.header('x-integration-id') !== undefined;
    const done = core.requestStats.begin(integrationId, isList ? req.originalUrl : undefined);
    res.on('close', done);
    next();
  };
}

/** Answers a list request the integration cannot serve (setup pending, inactive, invalid, model off); true if so. */
function answeredUnservable(res: Response, state: IntegrationState, model: ModelSpec): boolean {
  if (state.setupPendingRequests > 0) {
    state.setupPendingRequests -= 1;
    if (state.setupPendingRequests === 0) state.setupStatus = 'COMPLETED';
    respondWithFault(res, 'setup_pending');
    return true;
  }
  if (state.status === 'INACTIVE') {
    sendKomboError(res, 403, 'INTEGRATION.INACTIVE', 'The integration is inactive.');
    return true;
  }
  if (state.status === 'INVALID') {
    sendKomboError(
      res,
      403,
      'INTEGRATION.AUTHENTICATION_INVALID',
      'The credentials of the integration are invalid.',
    );
    return true;
  }
  if (state.disabledModels.has(model.name as never)) {
    sendKomboError(
      res,
      403,
      'INTEGRATION.MODEL_DISABLED',
      `${model.name} is disabled in the scope config of this integration.`,
    );
    return true;
  }
  if (!state.store(model.name as never)) {
    sendKomboError(
      res,
      403,
      'INTEGRATION.MODEL_NOT_AVAILABLE',
      `${model.name} is not available for this integration.`,
    );
    return true;
  }
  return false;
}

/** `GET /integrations/:id/custom-fields` and `/integration-fields`: an integration's field definitions. */
function addFieldDefinitionRoutes(
  router: Router,
  core: SandboxCore,
  faultFor: (
    req: Request,
    res: Response,
    integrationId?: string,
    model?: string,
  ) => FaultDecision | 'handled' | undefined,
): void {
  for (const list of Object.keys(FIELD_DEFINITION_LISTS) as FieldDefinitionList[]) {
    router.get(`/integrations/:id/${list}`, async (req, res) => {
      const state = core.integrations.get(req.params.id);
      if (!state)
        return sendKomboError(res, 404, 'PLATFORM.INTEGRATION_NOT_FOUND', 'The integration does not exist.');
      // Faults can target the listing as a model named after it (`custom-fields`, `integration-fields`).
      const fault = faultFor(req, res, state.id, list);
      if (fault === 'handled') return;
      if (fault?.fault === 'latency') await delay(fault.latencyMs);
      serveFieldDefinitions(req, res, state, list);
    });
  }
}

/**
 * Kombo's API under /v1: list endpoints of every catalog model, GET /integrations/:id and its custom-fields and
 * integration-fields listings, GET /check-api-key.
 */
export function createKomboRouter(core: SandboxCore): Router {
  const router = Router();

  router.use(authenticateAndCount(core));

  /** Picks a fault; answers the request if it is an error-type fault. Returns the decision or 'handled'. */
  const faultFor = (
    req: Request,
    res: Response,
    integrationId?: string,
    model?: string,
  ): FaultDecision | 'handled' | undefined => {
    const fault = core.faults.pick({ integrationId, model, hasCursor: typeof req.query.cursor === 'string' });
    if (fault && respondWithFault(res, fault.fault)) return 'handled';
    return fault;
  };

  router.get('/check-api-key', async (req, res) => {
    const fault = faultFor(req, res);
    if (fault === 'handled') return;
    if (fault?.fault === 'latency') await delay(fault.latencyMs);
    res.json({
      status: 'success',
      data: { environment_id: 'SandboxEnv1111111111111', customer_id: 'SandboxCustomer111111111' },
    });
  });

  router.get('/integrations/:id', async (req, res) => {
    const state = core.integrations.get(req.params.id);
    if (!state)
      return sendKomboError(res, 404, 'PLATFORM.INTEGRATION_NOT_FOUND', 'The integration does not exist.');
    const fault = faultFor(req, res, state.id);
    if (fault === 'handled') return;
    if (fault?.fault === 'latency') await delay(fault.latencyMs);
    res.json(integrationResponse(state));
  });

  addFieldDefinitionRoutes(router, core, faultFor);

  for (const model of MODELS as readonly ModelSpec[]) {
    router.get(model.path, async (req, res) => {
      const integrationId = req.header('x-integration-id');
      if (!integrationId) {
        return sendKomboError(res, 400, 'PLATFORM.INPUT_INVALID', 'The X-Integration-Id header is required.');
      }
      const state = core.integrations.get(integrationId);
      if (!state)
        return sendKomboError(res, 404, 'PLATFORM.INTEGRATION_NOT_FOUND', 'The integration does not exist.');
      if (answeredUnservable(res, state, model)) return;
      const fault = faultFor(req, res, integrationId, model.name);
      if (fault === 'handled') return;
      await serveList(req, res, state, model, fault, core.poisoned);
    });
  }

  router.use((_req: Request, res: Response) => {
    sendKomboError(res, 404, 'PLATFORM.INPUT_INVALID', 'No such endpoint.');
  });
  return router;
}

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function integrationIdFromPath(path: string): string | undefined {
  const match = /^\/integrations\/([^/]+)/.exec(path);
  return match ? decodeURIComponent(match[1]!) : undefined;
}
