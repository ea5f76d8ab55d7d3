import { Router } from 'express';
import type { DashboardDeps } from '../deps.js';

const within = <T>(promise: Promise<T>, ms: number) =>
  Promise.race([
    promise,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), ms).unref()),
  ]);

/**
 * `GET /healthz` and `GET /readyz` (no auth, the same check): 200 when Postgres and Redis answer within 2 s, else
 * 503; names no internals.
 */
export function healthzRoute({ db, redis }: Pick<DashboardDeps, 'db' | 'redis'>): Router {
  const router = Router();
  router.get(['/healthz', '/readyz'], async (_req, res) => {
    const [postgres, redisCheck] = await Promise.allSettled([
      within(db.pool.query('SELECT 1'), 2_000),
      within(redis.ping(), 2_000),
    ]);
    const checks = {
      postgres: postgres.status === 'fulfilled' ? 'ok' : 'down',
      redis: redisCheck.status === 'fulfilled' ? 'ok' : 'down',
    };
    const isOk = checks.postgres === 'ok' && checks.redis === 'ok';
    res.status(isOk ? 200 : 503).json({ status: isOk ? 'ok' : 'unavailable', checks });
  });
  return router;
}
