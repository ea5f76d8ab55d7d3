import { afterAll, describe, expect, it } from '@jest/globals';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { canConnect, freePort } from '../scripts/local-services.mjs';

const ROOT = path.resolve(import.meta.dirname, '..');

/** Every pid in the process tree below `pid`. */
function descendants(pid: number): number[] {
  const table = execFileSync('ps', ['-eo', 'pid=,ppid='], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/).map(Number) as [number, number]);
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const parent = queue.shift()!;
    for (const [child, ppid] of table) {
      if (ppid === parent) {
        found.push(child);
        queue.push(child);
      }
    }
  }
  return found;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Resolves with the first output line matching `pattern`, rejects after `timeoutMs`. */
function waitForLine(
  output: string[],
  child: ChildProcess,
  pattern: RegExp,
  timeoutMs: number,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () =>
        reject(
          new Error(
            `no line matching ${pattern} within ${timeoutMs} ms; last output:\n${output.slice(-30).join('\n')}`,
          ),
        ),
      timeoutMs,
    );
    const check = () => {
      const line = output.find((l) => pattern.test(l));
      if (line) {
        clearTimeout(timer);
        child.stdout?.off('data', check);
        resolve(line);
      }
    };
    child.stdout?.on('data', check);
    check();
  });
}

/** The environment of a newcomer: nothing configured, so the script starts its own Postgres, Redis and sandbox. */
async function newcomerEnv(): Promise<NodeJS.ProcessEnv> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of ['DATABASE_URL', 'REDIS_URL', 'KOMBO_API_KEY', 'KOMBO_API_URL', 'KOMBO_WEBHOOK_SECRETS'])
    delete env[key];
  env.INGRESS_PORT = String(await freePort());
  env.DASHBOARD_PORT = String(await freePort());
  env.KOMBO_SYNC_SUMMARY_INTERVAL_MS = '1000';
  env.LOG_LEVEL = 'warn';
  return env;
}

/** `npm start` as a user (or a supervisor) runs it: the npm process is the one that gets signals. */
function spawnNpmStart(env: NodeJS.ProcessEnv): { child: ChildProcess; output: string[] } {
  const child = spawn('npm', ['start'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const collect = (chunk: Buffer) => output.push(...String(chunk).split('\n').filter(Boolean));
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  return { child, output };
}

/** Signals the npm process and checks that nothing of the fleet survives it: processes, daemons, ports. */
async function stopAndExpectNothingLeft(
  child: ChildProcess,
  output: string[],
  signal: NodeJS.Signals,
  env: NodeJS.ProcessEnv,
): Promise<void> {
  const tree = descendants(child.pid!);
  expect(tree.length).toBeGreaterThanOrEqual(4);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  await exited;
  expect(output.some((line) => line.includes('kombo-sync: stopped'))).toBe(true);
  // Nothing the script started may survive it: its children, and the Redis and Postgres daemons it started.
  const survivors = tree.filter(isAlive);
  expect(survivors).toEqual([]);
  const servicePorts = output
    .map(
      (line) => /started local (?:Redis|Postgres) at \w+:\/\/(?:[^@/]*@)?127\.0\.0\.1:(\d+)/.exec(line)?.[1],
    )
    .filter((port): port is string => port !== undefined)
    .map(Number);
  expect(servicePorts).toHaveLength(2);
  for (const port of [...servicePorts, Number(env.INGRESS_PORT), Number(env.DASHBOARD_PORT)]) {
    expect(await canConnect(port)).toBe(false);
  }
}

describe('npm start', () => {
  const started: ChildProcess[] = [];

  afterAll(() => {
    for (const child of started) {
      if (child.pid && isAlive(child.pid)) {
        for (const pid of descendants(child.pid)) process.kill(pid, 'SIGKILL');
        child.kill('SIGKILL');
      }
    }
  });

  it('runs the fleet against the sandbox as a newcomer would, syncs the demo integrations, and stops cleanly when the npm process gets SIGTERM', async () => {
    const env = await newcomerEnv();
    const { child, output } = spawnNpmStart(env);
    started.push(child);

    await waitForLine(output, child, /dashboard\s+http:\/\/127\.0\.0\.1:\d+/, 60_000);
    const synced = await waitForLine(output, child, /integrations 3\/3 synced · [\d,]+ rows/, 150_000);
    expect(synced).toMatch(/integrations 3\/3 synced/);

    const dashboard = await fetch(`http://127.0.0.1:${env.DASHBOARD_PORT}/healthz`);
    expect(dashboard.ok).toBe(true);
    // Kombo's state of each demo integration was read when it was created: none shows `unknown`.
    const api = await fetch(`http://127.0.0.1:${env.DASHBOARD_PORT}/api/integrations`);
    const { integrations } = (await api.json()) as { integrations: { state: string | null }[] };
    expect(integrations.map((integration) => integration.state)).toEqual(['ACTIVE', 'ACTIVE', 'ACTIVE']);
    // The workers start once the sandbox listens: their API key check neither retries nor gives up.
    expect(output.filter((line) => /check-api-key|could not check the Kombo API key/.test(line))).toEqual([]);

    // What systemd, a container runtime or `kill` sends: to npm, not to the script.
    await stopAndExpectNothingLeft(child, output, 'SIGTERM', env);
  }, 240_000);

  it('stops the whole fleet when the npm process gets SIGINT', async () => {
    const env = await newcomerEnv();
    const { child, output } = spawnNpmStart(env);
    started.push(child);
    await waitForLine(output, child, /dashboard\s+http:\/\/127\.0\.0\.1:\d+/, 60_000);
    await stopAndExpectNothingLeft(child, output, 'SIGINT', env);
  }, 120_000);
});
