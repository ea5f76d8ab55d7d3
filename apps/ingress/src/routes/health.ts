import type { RequestHandler } from 'express';
import type { IngressDeps } from '../deps.js';
import { withTimeout } from '../with-timeout.js';

/** `GET /healthz`: the process is up. */
export const healthz: RequestHandler = (_req, res) => {
  res.json({ ok: true });
};

/** `GET /readyz`: Redis answers a PING within `queueTimeoutMs` (200), else 503 with the one error shape. */
export function readyz({ redis, config }: IngressDeps): RequestHandler {
  return async (req, res) => {
    try {
      await withTimeout(redis.ping(), config.queueTimeoutMs);
      res.json({ ok: true });
    } catch (err) {
      req.log.warn({ err }, 'not ready: Redis unreachable');
      res.status(503).json({ error: { code: 'QUEUE_UNAVAILABLE', message: 'Redis is unreachable' } });
    }
  };
}
