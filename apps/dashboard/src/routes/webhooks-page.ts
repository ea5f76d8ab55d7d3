import express, { Router } from 'express';
import { sameOriginGuard } from '../csrf.js';
import type { RouteContext } from '../deps.js';
import { DashboardError } from '../dashboard-error.js';
import { PAGE_HEADERS } from '../views/layout.js';
import { webhookDetailView, webhookPath, webhooksView } from '../views/webhooks-view.js';
import {
  changeEndpoint,
  createEndpoint,
  ENDPOINT_ACTIONS,
  loadEndpointDetail,
  loadEndpoints,
  type EndpointAction,
} from '../webhook-endpoints.js';

const field = (body: Record<string, unknown>, name: string) =>
  typeof body[name] === 'string' ? (body[name] as string) : '';
const flashOf = (value: unknown) => (typeof value === 'string' ? value.slice(0, 200) : undefined);

/**
 * Outbound webhook endpoints: `GET /webhooks` (list, add form), `POST /webhooks` (add: answers the page with the new
 * secret, shown once and never put in a URL), `GET /webhooks/:id` (state, actions, delivery log), `POST
 * /webhooks/:id` with `action` enable, disable, rotate (answers the page with the new secret), replay_dead or delete
 * (→ 303). Forms: same-origin check, then the double-submit CSRF token, as for the controls. JSON: `GET
 * /api/webhooks` → `{ endpoints }`, `GET /api/webhooks/:id` → `{ endpoint, deliveries }` (never a secret).
 */
export function webhooksPageRoute({ deps, csrf, now }: RouteContext): Router {
  const router = Router();
  const form = [sameOriginGuard, express.urlencoded({ extended: false, limit: '8kb' }), csrf.verify];

  router.get('/webhooks', async (req, res) => {
    const endpoints = await loadEndpoints(deps.db, now());
    const flash = flashOf(req.query.done);
    const html = webhooksView(endpoints, { csrfToken: csrf.issue(req, res), ...(flash && { flash }) });
    res.set(PAGE_HEADERS).type('html').send(html.value);
  });
  router.post('/webhooks', ...form, async (req, res) => {
    const body = req.body as Record<string, unknown>;
    const { id, secret } = await createEndpoint(deps.db, {
      url: field(body, 'url'),
      models: field(body, 'models'),
      integrations: field(body, 'integrations'),
    });
    const html = webhooksView(await loadEndpoints(deps.db, now()), {
      csrfToken: csrf.issue(req, res),
      flash: `Added ${id}.`,
      secret,
    });
    res.set(PAGE_HEADERS).type('html').send(html.value);
  });
  router.get('/webhooks/:id', async (req, res) => {
    const detail = await loadEndpointDetail(deps.db, req.params.id, { now: now() });
    const flash = flashOf(req.query.done);
    const html = webhookDetailView(detail, { csrfToken: csrf.issue(req, res), ...(flash && { flash }) });
    res.set(PAGE_HEADERS).type('html').send(html.value);
  });
  router.post('/webhooks/:id', ...form, async (req, res) => {
    const action = field(req.body as Record<string, unknown>, 'action') as EndpointAction;
    if (!ENDPOINT_ACTIONS.includes(action))
      throw new DashboardError(400, 'INVALID_BODY', `action: ${ENDPOINT_ACTIONS.join(', ')}`);
    const id = req.params.id as string;
    const { done, secret } = await changeEndpoint(deps.db, id, action);
    if (action === 'delete') return res.redirect(303, `/webhooks?done=${encodeURIComponent(done)}`);
    if (secret === undefined) return res.redirect(303, `${webhookPath(id)}?done=${encodeURIComponent(done)}`);
    const html = webhookDetailView(await loadEndpointDetail(deps.db, id, { now: now() }), {
      csrfToken: csrf.issue(req, res),
      flash: done,
      secret,
    });
    res.set(PAGE_HEADERS).type('html').send(html.value);
  });

  router.get('/api/webhooks', async (_req, res) => {
    res.json({ endpoints: await loadEndpoints(deps.db, now()) });
  });
  router.get('/api/webhooks/:id', async (req, res) => {
    res.json(await loadEndpointDetail(deps.db, req.params.id, { now: now() }));
  });
  return router;
}
