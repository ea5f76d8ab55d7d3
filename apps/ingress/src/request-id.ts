import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Logger } from '@kombo-sync/logger';

declare module 'express-serve-static-core' {
  interface Request {
    /** The request id: the caller's `x-request-id` when well-formed, else a new UUID. */
    id: string;
    /** Logger bound to `{ requestId }` (created on first use). */
    log: Logger;
  }
}

const SAFE_REQUEST_ID = /^[\w.:-]{1,128}$/;

/** Gives each request an id (accepting a well-formed incoming `x-request-id`), echoes it and binds a logger. */
export function requestId(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const incoming = req.get('x-request-id');
    req.id = incoming !== undefined && SAFE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
    // Bound on first use: a pino child per request costs a redaction pass over its bindings, which most
    // requests (logging only at debug/info, often disabled) never need.
    let log: Logger | undefined;
    Object.defineProperty(req, 'log', {
      configurable: true,
      get: () => (log ??= logger.child({ requestId: req.id })),
    });
    res.setHeader('x-request-id', req.id);
    next();
  };
}
