import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from '@kombo-sync/logger';

/** Stable error codes of the ingress's JSON error body. */
export type ErrorCode =
  | 'SIGNATURE_MISSING'
  | 'SIGNATURE_INVALID'
  | 'JSON_INVALID'
  | 'PAYLOAD_INVALID'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'BAD_REQUEST'
  | 'QUEUE_UNAVAILABLE'
  | 'NOT_FOUND'
  | 'INTERNAL';

/** An error answered as `{ error: { code, message } }` with `status`; `message` must be safe to show. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'HttpError';
  }
}

/** Maps errors thrown by body-parser (`type` field) to our codes. */
function fromBodyParser(err: { type?: unknown; status?: unknown }): HttpError | undefined {
  switch (err.type) {
    case 'entity.too.large':
      return new HttpError(413, 'PAYLOAD_TOO_LARGE', 'request body is larger than the limit');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', 'unsupported content encoding or charset');
    default:
      return typeof err.status === 'number' && err.status >= 400 && err.status < 500
        ? new HttpError(400, 'BAD_REQUEST', 'the request body could not be read')
        : undefined;
  }
}

/** Answers unmatched routes with 404. */
export const notFound: RequestHandler = (req, _res, next) => {
  next(new HttpError(404, 'NOT_FOUND', `no route for ${req.method} ${req.path}`));
};

/**
 * The one error middleware: every error becomes `{ error: { code, message } }`. Unknown errors are logged and
 * answered 500 with a generic message, never their own message or stack.
 */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) return next(err);
    const known =
      err instanceof HttpError
        ? err
        : typeof err === 'object' && err !== null
          ? fromBodyParser(err)
          : undefined;
    const log = req.log ?? logger;
    if (!known) log.error({ err }, 'request failed');
    else if (known.status >= 500) log.warn({ err: known.cause ?? known, code: known.code }, 'request failed');
    const error = known ?? new HttpError(500, 'INTERNAL', 'internal error');
    res.status(error.status).json({ error: { code: error.code, message: error.message } });
  };
}
