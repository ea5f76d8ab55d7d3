import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Router } from 'express';
import type { DashboardDeps } from './deps.js';

/** Bull Board over every queue of the fleet, served under `basePath` (read-only with DASHBOARD_READ_ONLY). */
export function createBullBoardRouter(
  { queues, config }: Pick<DashboardDeps, 'queues' | 'config'>,
  basePath: string,
): Router {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(basePath);
  createBullBoard({
    queues: Object.values(queues).map(
      (queue) => new BullMQAdapter(queue, { readOnlyMode: config.isDashboardReadOnly }),
    ),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'kombo-sync' } },
  });
  return serverAdapter.getRouter() as Router;
}
