import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { events, startHarness, type IngressHarness } from './testing/ingress-harness.js';

/* This suite runs its own redis-server, so it can stop and restart Redis under a running ingress. */

let port: number;
let redisServer: ChildProcess | undefined;
let h: IngressHarness;
const queueTimeoutMs = 500;

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

async function startRedis(): Promise<void> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  redisServer = child;
  await new Promise<void>((resolve, reject) => {
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${output}`)));
  });
}

async function stopRedis(): Promise<void> {
  const child = redisServer;
  redisServer = undefined;
  if (!child || child.exitCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGKILL');
  await exited;
}

/** Polls `check` every 50 ms until it is true, for at most `boundMs`. */
async function until(check: () => Promise<boolean>, boundMs: number): Promise<void> {
  const deadline = Date.now() + boundMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${boundMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

beforeAll(async () => {
  port = await freePort();
  await startRedis();
  h = await startHarness({ redisUrl: `redis://127.0.0.1:${port}`, config: { queueTimeoutMs } });
});

afterAll(async () => {
  await h.close();
  await stopRedis();
});

describe('Redis outage', () => {
  it('answers 503 within the bound while Redis is down and 200 again after it returns, without a restart', async () => {
    expect((await h.post(events.dataChanged('int-before', ['hris_employees']))).status).toBe(200);

    await stopRedis();
    const startedAt = Date.now();
    const down = await h.post(events.dataChanged('int-down', ['hris_employees']));
    const elapsedMs = Date.now() - startedAt;
    expect(down.status).toBe(503);
    expect(await down.json()).toEqual({ error: { code: 'QUEUE_UNAVAILABLE', message: expect.any(String) } });
    expect(elapsedMs).toBeLessThan(queueTimeoutMs + 1_000);
    expect((await fetch(`${h.url}/readyz`)).status).toBe(503);
    expect((await fetch(`${h.url}/healthz`)).status).toBe(200);

    await startRedis();
    await until(async () => (await fetch(`${h.url}/readyz`)).status === 200, 10_000);
    const back = await h.post(events.dataChanged('int-after', ['ats_jobs']));
    expect(back.status).toBe(200);
    expect((await h.intent('int-after'))?.models).toEqual(['ats_jobs']);
    expect(await h.waitingIntegrations()).toEqual(['int-after']);
  });

  it('answers 503 within the bound when Redis hangs, and the retried delivery is then accepted once', async () => {
    const body = events.dataChanged('int-hung', ['hris_employees']);
    redisServer?.kill('SIGSTOP');
    try {
      const startedAt = Date.now();
      const hung = await h.post(body);
      expect(hung.status).toBe(503);
      expect(Date.now() - startedAt).toBeLessThan(queueTimeoutMs + 1_000);
    } finally {
      redisServer?.kill('SIGCONT');
    }
    // The timed-out commands may still land; Kombo's redelivery of the same id is a replay that ensures the job.
    expect((await h.post(body)).status).toBe(200);
    expect((await h.intent('int-hung'))?.requestIds).toHaveLength(1);
    expect(await h.waitingIntegrations()).toContain('int-hung');
  });
});
