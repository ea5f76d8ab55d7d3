// `npm run test:image`: builds the Dockerfile and runs the image as a deployment would. The base image is the
// official node:20-bookworm-slim where it can be pulled; where it cannot (no registry), a local stand-in made from
// Debian's packages and this machine's node (image-engine.ts), so the unchanged Dockerfile builds.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTestDatabase, type TestDatabase } from '@kombo-sync/db/testing';
import { HEALTH_PROBES, IMAGE_COMMANDS } from '../../scripts/image-files.mjs';
import { freePort } from '../../scripts/local-services.mjs';
import { INGRESS_NODE_FLAGS, WORKER_NODE_FLAGS } from '../../scripts/node-options.mjs';
import {
  chooseEngineKind,
  createBuildahEngine,
  createDockerEngine,
  ROOT,
  type ImageEngine,
  type ImageProcess,
} from './image-engine.js';
import { testServices } from '@kombo-sync/config/testing';

const { databaseUrl: TEST_DATABASE_URL, redisUrl: TEST_REDIS_URL } = testServices();

const TAG = `localhost/kombo-sync:test-${process.pid}`;
const BASE = /^ARG NODE_IMAGE=(\S+)$/m.exec(readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8'))![1]!;
const MB = 1e6;
const say = (msg: string) => process.stdout.write(`test:image: ${msg}\n`);

let engine: ImageEngine;
beforeAll(() => {
  engine = chooseEngineKind() === 'docker' ? createDockerEngine() : createBuildahEngine();
  const started = Date.now();
  const base = engine.ensureBase(BASE);
  say(
    `${engine.kind}; base ${BASE}: ${base}${base === 'stand-in' ? ' (made locally; stands in for the official image)' : ''}`,
  );
  const cafile = execFileSync('npm', ['config', 'get', 'cafile'], { encoding: 'utf8' }).trim();
  const logFile = path.join(mkdtempSync(path.join(tmpdir(), 'kombo-sync-image-')), 'build.log');
  engine.build(TAG, {
    logFile,
    ...(cafile && cafile !== 'null' && existsSync(cafile) ? { caFile: cafile } : {}),
    buildArgs: {
      REVISION: execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim(),
    },
  });
  const image = engine.sizeBytes(TAG);
  const baseSize = engine.sizeBytes(BASE);
  say(
    `built ${TAG} in ${Math.round((Date.now() - started) / 1000)} s: image ${(image / MB).toFixed(0)} MB, ` +
      `base ${(baseSize / MB).toFixed(0)} MB, ${((image - baseSize) / MB).toFixed(0)} MB above the base`,
  );
}, 45 * 60_000);
afterAll(() => {
  engine?.remove(TAG);
});

describe('the image', () => {
  it('adds at most 120 MB to its base', () => {
    expect(engine.sizeBytes(TAG) - engine.sizeBytes(BASE)).toBeLessThanOrEqual(120 * MB);
  });

  it('runs as a numeric non-root user in production mode, with labels, a healthcheck and an app entrypoint', () => {
    const config = engine.config(TAG);
    expect(config.User).toBe('1000:1000');
    expect(config.Env).toContain('NODE_ENV=production');
    expect(config.Entrypoint).toEqual(['/app/bin/kombo-sync']);
    expect(config.Healthcheck?.Test).toEqual(['CMD', 'node', '/app/bin/healthcheck.mjs']);
    expect(config.Labels).toMatchObject({
      'org.opencontainers.image.title': 'kombo-sync',
      'org.opencontainers.image.licenses': 'MIT',
      'org.opencontainers.image.base.name': BASE,
    });
    expect(config.Labels?.['org.opencontainers.image.revision']).toMatch(/^[0-9a-f]{40}$/);
    const entrypoint = engine.exec(TAG, ['cat', '/app/bin/kombo-sync']).output;
    expect(entrypoint).toContain(
      `worker) exec 'node' ${WORKER_NODE_FLAGS.map((f) => `'${f}'`).join(' ')} '/app/apps/worker/dist/main.mjs'`,
    );
    expect(entrypoint).toContain(
      `ingress) exec 'node' ${INGRESS_NODE_FLAGS.map((f) => `'${f}'`).join(' ')} '/app/apps/ingress/dist/main.mjs'`,
    );
    expect(engine.exec(TAG, ['/app/bin/kombo-sync', 'help'])).toMatchObject({ code: 0 });
    expect(engine.exec(TAG, ['/app/bin/kombo-sync', 'bogus'])).toMatchObject({ code: 64 });
    expect(engine.exec(TAG, ['id', '-u'])).toMatchObject({ code: 0, output: '1000\n' });
  });

  it('holds the bundles, the migrations and production dependencies only: no source, no dev dependencies', () => {
    const files = engine
      .exec(TAG, ['sh', '-c', 'cd /app && find . -path ./node_modules -prune -o -type f -print'])
      .output.trim()
      .split('\n')
      .map((file) => file.replace(/^\.\//, ''))
      .sort();
    const allowed = [
      /^apps\/[a-z]+\/dist\/main\.mjs$/,
      /^packages\/db\/dist\/migrate\.mjs$/,
      /^drizzle\/\d{4}_[a-z0-9_]+\.sql$/,
      /^drizzle\/meta\/_journal\.json$/,
      /^bin\/(kombo-sync|healthcheck\.mjs)$/,
    ];
    expect(files.filter((file) => !allowed.some((pattern) => pattern.test(file)))).toEqual([]);
    expect(files.filter((file) => file.endsWith('main.mjs') || file.endsWith('migrate.mjs'))).toHaveLength(
      Object.keys(IMAGE_COMMANDS).length,
    );

    const installed = new Set(
      engine.exec(TAG, ['sh', '-c', 'cd /app/node_modules && ls -d * @*/*']).output.trim().split('\n'),
    );
    // What the lockfile marks as needed only for development (or only optional), top-level packages.
    const lock = JSON.parse(readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { dev?: boolean; devOptional?: boolean }>;
    };
    const devOnly = Object.entries(lock.packages)
      .filter(
        ([key, entry]) => /^node_modules\/(@[^/]+\/)?[^/]+$/.test(key) && (entry.dev || entry.devOptional),
      )
      .map(([key]) => key.slice('node_modules/'.length));
    expect(devOnly).toEqual(
      expect.arrayContaining(['typescript', 'jest', 'tsx', 'drizzle-kit', 'esbuild', '@swc/core']),
    );
    expect(devOnly.filter((name) => installed.has(name))).toEqual([]);
    expect([...installed].filter((name) => name.startsWith('@kombo-sync'))).toEqual([]);
    for (const name of ['bullmq', 'express', 'pg', 'drizzle-orm', 'pino']) expect(installed).toContain(name);
  });
});

/** Polls `url` until it answers 200 (deadline `timeoutMs`), failing with what `process` printed. */
async function waitForOk(
  url: string,
  process: ImageProcess,
  timeoutMs = 120_000,
  init?: RequestInit,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await fetch(url, init).then(
      (res) => res.status,
      () => 0,
    );
    if (status === 200) return;
    if (Date.now() > deadline)
      throw new Error(
        `${url} answered ${status} for ${timeoutMs} ms; ${process.name}:\n${process.output().slice(-3000)}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('the image running the fleet', () => {
  let test: TestDatabase;
  const running: ImageProcess[] = [];
  beforeAll(async () => {
    test = await createTestDatabase(TEST_DATABASE_URL, { shouldMigrate: false });
  });
  afterAll(async () => {
    for (const app of running) app.signal('SIGKILL');
    await Promise.all(running.map((app) => app.exited));
    await test?.drop();
  });

  it(
    'migrates, then ingress, worker and dashboard sync a signed webhook into rows and stop on SIGTERM in seconds',
    async () => {
      const migrate = engine.run(TAG, 'migrate', ['migrate'], { DATABASE_URL: test.url });
      expect(await migrate.exited).toMatchObject({ code: 0 });
      expect(migrate.output()).toContain('Migrations applied to');

      const [ingressPort, metricsPort, dashboardPort, sandboxPort] = await Promise.all([
        freePort(),
        freePort(),
        freePort(),
        freePort(),
      ]);
      const apiKey = 'image-test-key';
      const secret = 'image-test-webhook-secret';
      const sandboxUrl = `http://127.0.0.1:${sandboxPort}`;
      const auth = { authorization: `Bearer ${apiKey}` };
      const sandbox = engine.run(TAG, 'sandbox', ['sandbox'], {
        SANDBOX_PORT: String(sandboxPort),
        SANDBOX_API_KEY: apiKey,
        SANDBOX_WEBHOOK_URL: `http://127.0.0.1:${ingressPort}/webhooks/kombo`,
        SANDBOX_WEBHOOK_SECRET: secret,
      });
      running.push(sandbox);
      await waitForOk(`${sandboxUrl}/v1/check-api-key`, sandbox, 120_000, { headers: auth });

      const ports = {
        INGRESS_PORT: String(ingressPort),
        WORKER_METRICS_PORT: String(metricsPort),
        DASHBOARD_PORT: String(dashboardPort),
      };
      const env = {
        ...ports,
        DATABASE_URL: test.url,
        REDIS_URL: TEST_REDIS_URL,
        QUEUE_PREFIX: `{image-test-${process.pid}}`,
        KOMBO_API_URL: `${sandboxUrl}/v1`,
        KOMBO_API_KEY: apiKey,
        KOMBO_WEBHOOK_SECRETS: secret,
        SYNC_ENABLED_MODELS: 'hris_employees,hris_employments,hris_groups',
        DASHBOARD_USERNAME: 'ops',
        DASHBOARD_PASSWORD: 'image-test-password',
        LOG_FORMAT: 'json',
      };
      const apps = {
        ingress: engine.run(TAG, 'ingress', ['ingress'], env),
        worker: engine.run(TAG, 'worker', ['worker'], env),
        dashboard: engine.run(TAG, 'dashboard', ['dashboard'], env),
      };
      running.push(...Object.values(apps));
      for (const [app, probe] of Object.entries(HEALTH_PROBES)) {
        const port = ports[probe.portVariable as keyof typeof ports];
        await waitForOk(`http://127.0.0.1:${port}${probe.path}`, apps[app as keyof typeof apps]);
        await waitForOk(`http://127.0.0.1:${port}/healthz`, apps[app as keyof typeof apps]);
      }
      expect(engine.exec(TAG, ['node', '/app/bin/healthcheck.mjs'], ports)).toMatchObject({ code: 0 });

      const created = (await (
        await fetch(`${sandboxUrl}/sandbox/integrations`, {
          method: 'POST',
          headers: { ...auth, 'content-type': 'application/json' },
          body: JSON.stringify({ sizes: { employees: 40 } }),
        })
      ).json()) as { id: string };
      const truth = (await (
        await fetch(
          `${sandboxUrl}/sandbox/integrations/${encodeURIComponent(created.id)}/truth/hris_employees`,
          { headers: auth },
        )
      ).json()) as { results: unknown[] };
      // The sandbox signs the webhook with the secret and posts it to the ingress.
      const sent = await fetch(`${sandboxUrl}/sandbox/webhooks/send`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ integrationId: created.id, type: 'integration-created' }),
      });
      expect(sent.status).toBe(200);
      const deadline = Date.now() + 180_000;
      for (;;) {
        const { rows } = await test.database.pool.query<{ count: number }>(
          'SELECT count(*)::int AS count FROM hris_employees WHERE integration_id = $1',
          [created.id],
        );
        if (rows[0]!.count === truth.results.length) break;
        if (Date.now() > deadline)
          throw new Error(
            `rows: ${rows[0]!.count} of ${truth.results.length}; worker:\n${apps.worker.output().slice(-3000)}\ningress:\n${apps.ingress.output().slice(-2000)}`,
          );
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      expect(truth.results.length).toBeGreaterThan(0);

      const cli = engine.run(TAG, 'cli', ['cli', 'integrations', 'list'], env);
      expect(await cli.exited).toMatchObject({ code: 0 });
      expect(cli.output()).toContain(created.id);

      for (const app of [apps.ingress, apps.worker, apps.dashboard, sandbox]) {
        const signalledAt = Date.now();
        app.signal('SIGTERM');
        const exit = await Promise.race([
          app.exited,
          new Promise<'still running'>((resolve) =>
            setTimeout(() => resolve('still running'), 60_000).unref(),
          ),
        ]);
        expect({ app: app.name, exit }).toEqual({ app: app.name, exit: { code: 0, signal: null } });
        say(`${app.name} stopped ${((Date.now() - signalledAt) / 1000).toFixed(1)} s after SIGTERM`);
      }
    },
    15 * 60_000,
  );
});
