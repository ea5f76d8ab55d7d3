import type { RequestHandler } from 'express';
import type { IngressMetrics } from '../deps.js';

/** `GET /metrics`: the Prometheus registry passed in the deps. */
export function metricsRoute({ registry }: IngressMetrics): RequestHandler {
  return async (_req, res) => {
    res.setHeader('content-type', registry.contentType);
    res.send(await registry.metrics());
  };
}
