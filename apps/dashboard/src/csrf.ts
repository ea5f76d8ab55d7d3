import { createHmac, randomBytes } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { constantTimeEqual } from './constant-time-equal.js';
import { DashboardError } from './dashboard-error.js';

export const CSRF_COOKIE = 'kombo_sync_csrf';
export const CSRF_FIELD = '_csrf';

/** The cookie's decoded value; undefined when absent or not valid percent-encoding (a malformed token is no token). */
function readCookie(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/**
 * Refuses (403) a state-changing request sent by another site. Browsers that send `Sec-Fetch-Site` (a header pages
 * cannot forge) are judged by it alone: `same-origin` or `none` pass, so a proxy rewriting `Host` does no harm.
 * Otherwise `Origin`, when present, must name this host. Tools (curl) send neither and pass (they need credentials).
 */
export const sameOriginGuard: RequestHandler = (req, _res, next) => {
  if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return next();
  const site = req.get('sec-fetch-site');
  if (site !== undefined) {
    if (site === 'same-origin' || site === 'none') return next();
    return next(new DashboardError(403, 'CROSS_SITE_REQUEST', 'Cross-site request refused'));
  }
  const origin = req.get('origin');
  if (origin !== undefined) {
    let host: string | undefined;
    try {
      host = new URL(origin).host;
    } catch {
      host = undefined;
    }
    if (!host || host !== req.get('host')) {
      return next(new DashboardError(403, 'CROSS_SITE_REQUEST', 'Request from a foreign origin refused'));
    }
  }
  next();
};

/**
 * Double-submit CSRF tokens: a random nonce signed with a per-process key, set in an HttpOnly SameSite=Strict
 * cookie and repeated in each form's hidden field; a POST passes when both are equal and the signature is ours
 * (so a cookie planted by a sibling subdomain does not work). Tokens die with the process: a stale form gets 403.
 */
export function createCsrf(key: Buffer = randomBytes(32)) {
  const sign = (nonce: string) => createHmac('sha256', key).update(nonce).digest('base64url');
  const isValid = (token: string) => {
    const [nonce = '', signature = ''] = token.split('.');
    return nonce !== '' && constantTimeEqual(signature, sign(nonce));
  };
  return {
    /** The request's valid token, or a new one set as cookie on `res`. */
    issue(req: Request, res: Response): string {
      const existing = readCookie(req, CSRF_COOKIE);
      if (existing && isValid(existing)) return existing;
      const nonce = randomBytes(18).toString('base64url');
      const token = `${nonce}.${sign(nonce)}`;
      const secure = req.secure ? '; Secure' : '';
      res.append('Set-Cookie', `${CSRF_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict${secure}`);
      return token;
    },
    /** Middleware for form POSTs (after body parsing): cookie and field equal and signed by us, else 403. */
    verify: ((req, _res, next) => {
      const cookie = readCookie(req, CSRF_COOKIE);
      const field: unknown = (req.body as Record<string, unknown> | undefined)?.[CSRF_FIELD];
      if (!cookie || typeof field !== 'string' || !constantTimeEqual(field, cookie) || !isValid(cookie)) {
        return next(
          new DashboardError(403, 'CSRF_TOKEN_INVALID', 'Missing or invalid CSRF token; reload the page'),
        );
      }
      next();
    }) as RequestHandler,
  };
}

export type Csrf = ReturnType<typeof createCsrf>;
