import { randomUUID } from 'node:crypto';
import type { Express, RequestHandler } from 'express';
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
const boundLogger = Symbol('kombo-sync.requestLogger');

/**
 * Gives each request an id (accepting a well-formed incoming `x-request-id`), echoes it, and makes `req.log` a
 * logger bound to it. The logger is a getter on the app's request prototype, created on first use: a pino child per
 * request costs a redaction pass over its bindings, and defining a property per request costs the request object
 * its fast shape; most requests (logging only at debug/info, often disabled) never need it.
 */
export function requestId(app: Express, logger: Logger): RequestHandler {
  Object.defineProperty(app.request, 'log', {
    configurable: true,
    get(this: Express['request'] & { [boundLogger]?: Logger }): Logger {
      return (this[boundLogger] ??= logger.child({ requestId: this.id }));
    },
  });
  return (req, res, next) => {
    const incoming = req.get('x-request-id');
    req.id = incoming !== undefined && SAFE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.setHeader('x-request-id', req.id);
    next();
  };
}
