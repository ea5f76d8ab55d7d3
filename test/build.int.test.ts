// `npm run build` produces bundles that run on plain node: the production way to start the apps.
import { describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { APPS, BUNDLES, buildApps } from '../scripts/build.mjs';
import { freePort } from '../scripts/local-services.mjs';

const ROOT = path.resolve(import.meta.dirname, '..');

async function waitForOk(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error(`${url} not ready within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('npm run build', () => {
  it('bundles every app; the bundled ingress serves and stops cleanly on SIGTERM', async () => {
    await buildApps();
    expect(APPS).toEqual(['ingress', 'worker', 'dashboard', 'sandbox', 'cli']);
    expect(Object.keys(BUNDLES)).toEqual([...APPS, 'migrate']);
    const port = await freePort();
    const ingress = spawn(process.execPath, ['apps/ingress/dist/main.mjs'], {
      cwd: ROOT,
      env: {
        ...process.env,
        INGRESS_PORT: String(port),
        KOMBO_WEBHOOK_SECRETS: 'build-test-secret',
        QUEUE_PREFIX: '{build-test}',
        LOG_LEVEL: 'warn',
      },
      stdio: 'ignore',
    });
    try {
      await waitForOk(`http://127.0.0.1:${port}/readyz`, 20_000);
      const exited = once(ingress, 'exit');
      ingress.kill('SIGTERM');
      const [code] = (await exited) as [number | null];
      expect(code).toBe(0);
    } finally {
      if (ingress.exitCode === null) ingress.kill('SIGKILL');
    }
  }, 60_000);

  it('the bundled worker refuses to start without its configuration, naming the variable', async () => {
    await buildApps(['worker']);
    const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'warn' };
    delete env.KOMBO_API_KEY;
    const worker = spawn(process.execPath, ['apps/worker/dist/main.mjs'], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    worker.stderr!.on('data', (chunk) => (stderr += String(chunk)));
    const [code] = (await once(worker, 'exit')) as [number | null];
    expect(code).toBe(1);
    expect(stderr).toContain('KOMBO_API_KEY');
  }, 60_000);
});
