import { isModelName, type ModelName } from '@kombo-sync/catalog';
import express, { type Request, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import { sameOriginGuard } from './csrf.js';
import { DashboardError } from './dashboard-error.js';

/** A JSON list of catalog model names (at most 100), typed as such. */
export const modelNamesSchema = z
  .array(z.string())
  .max(100)
  .refine((models) => models.every(isModelName), 'unknown model name')
  .transform((models) => models as ModelName[]);

const requireJson: RequestHandler = (req, _res, next) => {
  if (req.is('application/json')) return next();
  next(new DashboardError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send Content-Type: application/json'));
};

/** `body` parsed by `schema`, or a 400 `INVALID_BODY` naming each bad field (never echoing a value). */
function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const parsed = schema.safeParse(body ?? {});
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`);
  throw new DashboardError(400, 'INVALID_BODY', problems.join('; '));
}

/**
 * The handlers of a JSON API write, the one way every such route checks its request: refused cross-site
 * (`sameOriginGuard`), `application/json` only (415 otherwise: a cross-site form cannot send it without a CORS
 * preflight, which is never allowed, so these routes need no CSRF token), at most 16 kB, and the body validated by
 * `schema` before `handler` gets it typed (400 `INVALID_BODY` otherwise).
 */
export function jsonApiRoute<S extends z.ZodType>(
  schema: S,
  handler: (req: Request, res: Response, body: z.output<S>) => Promise<void>,
): RequestHandler[] {
  return [
    sameOriginGuard,
    requireJson,
    express.json({ limit: '16kb' }),
    async (req, res) => handler(req, res, parseBody(schema, req.body)),
  ];
}
