import type { AddressInfo } from 'node:net';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { Logger } from '@kombo-sync/logger';
import { createAdminRouter } from './admin-routes.js';
import { sendKomboError } from './errors.js';
import { createKomboRouter } from './routes/kombo-routes.js';
import { SandboxCore } from './sandbox-core.js';

export interface SandboxOptions {
  /** Bearer key clients must send (to /v1 and /sandbox). */
  apiKey: string;
  /** Seed of the generated data (default 1). Same seed, same integrations created in the same order → same data. */
  seed?: number;
  /** Offset of the sandbox clock from real time in ms (default 0). */
  clockSkewMs?: number;
  logger?: Logger;
}

export interface RunningSandbox {
  /** Base URL of the Kombo API, ending in /v1. */
  url: string;
  /** Base URL of the admin API, ending in /sandbox. */
  adminUrl: string;
  close(): Promise<void>;
}

type CoreMethods = Pick<
  SandboxCore,
  | 'createIntegration'
  | 'deleteIntegration'
  | 'setIntegrationState'
  | 'completeSetup'
  | 'disableModel'
  | 'setDataExpired'
  | 'mutate'
  | 'changeFieldDefinitions'
  | 'fieldDefinitions'
  | 'truth'
  | 'stats'
  | 'resetStats'
  | 'setFaults'
  | 'injectFault'
  | 'poisonRecord'
  | 'clearPoison'
  | 'setWebhooks'
  | 'sendWebhook'
  | 'webhookStats'
  | 'flushWebhooks'
  | 'setClockSkew'
  | 'startMutations'
  | 'stopMutations'
>;

/** A Kombo-compatible API server with generated data, mutations, faults and a signed-webhook sender. */
export interface Sandbox extends CoreMethods {
  app: Express;
  core: SandboxCore;
  /** Starts listening (port default 0 = any free port, host default 127.0.0.1). */
  listen(port?: number, host?: string): Promise<RunningSandbox>;
}

/** The sandbox's Express app: Kombo's API under /v1, the admin API under /sandbox, Kombo's clock in `Date`. */
function sandboxApp(core: SandboxCore, logger: SandboxOptions['logger']): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use((_req: Request, res: Response, next: NextFunction) => {
    // Kombo's clock, not ours: clients read Kombo time from this header.
    res.setHeader('Date', new Date(core.clock.now()).toUTCString());
    next();
  });
  app.use('/v1', createKomboRouter(core));
  app.use('/sandbox', createAdminRouter(core));
  app.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    logger?.error({ err }, 'sandbox request failed');
    sendKomboError(res, 500, 'PLATFORM.UNKNOWN_ERROR', 'An unknown error occurred.');
  });
  return app;
}

/** Listens on `host:port` (0: any free port); `close()` also ends hung requests and keep-alive sockets. */
function listenSandbox(app: Express, core: SandboxCore, port: number, host: string): Promise<RunningSandbox> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host, (err?: Error) => {
      if (err) return reject(err);
      const address = server.address() as AddressInfo;
      const base = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
      resolve({
        url: `${base}/v1`,
        adminUrl: `${base}/sandbox`,
        close: () =>
          new Promise<void>((done) => {
            core.close();
            server.close(() => done());
            // Hung requests (the `hang` fault) and keep-alive sockets would keep close() waiting forever.
            server.closeAllConnections();
          }),
      });
    });
    server.keepAliveTimeout = 65_000;
  });
}

/** Creates a sandbox; nothing listens until `listen()`. */
export function createSandbox(options: SandboxOptions): Sandbox {
  const core = new SandboxCore(options.apiKey, options.seed ?? 1, options.clockSkewMs ?? 0, options.logger);
  const app = sandboxApp(core, options.logger);

  const bind = <K extends keyof CoreMethods>(name: K): CoreMethods[K] =>
    (core[name] as (...args: unknown[]) => unknown).bind(core) as CoreMethods[K];

  return {
    app,
    core,
    createIntegration: bind('createIntegration'),
    deleteIntegration: bind('deleteIntegration'),
    setIntegrationState: bind('setIntegrationState'),
    completeSetup: bind('completeSetup'),
    disableModel: bind('disableModel'),
    setDataExpired: bind('setDataExpired'),
    mutate: bind('mutate'),
    changeFieldDefinitions: bind('changeFieldDefinitions'),
    fieldDefinitions: bind('fieldDefinitions'),
    truth: bind('truth'),
    stats: bind('stats'),
    resetStats: bind('resetStats'),
    setFaults: bind('setFaults'),
    injectFault: bind('injectFault'),
    poisonRecord: bind('poisonRecord'),
    clearPoison: bind('clearPoison'),
    setWebhooks: bind('setWebhooks'),
    sendWebhook: bind('sendWebhook'),
    webhookStats: bind('webhookStats'),
    flushWebhooks: bind('flushWebhooks'),
    setClockSkew: bind('setClockSkew'),
    startMutations: bind('startMutations'),
    stopMutations: bind('stopMutations'),
    listen: (port = 0, host = '127.0.0.1') => listenSandbox(app, core, port, host),
  };
}
