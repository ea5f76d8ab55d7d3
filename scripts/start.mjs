// `npm start`: the whole fleet in one command. Installs dependencies when missing, uses DATABASE_URL / REDIS_URL
// when set (else starts throwaway local servers), applies migrations, then starts the ingress, two workers and the
// dashboard. Without KOMBO_API_KEY it also starts the Kombo sandbox with demo integrations that mutate and send
// signed webhooks to the ingress. SIGINT or SIGTERM (Ctrl-C, a supervisor, `kill` of the npm process: the npm script
// execs this one, so npm hands its signals on) stops everything in order, leaving no process behind.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ROOT, ensureDependencies } from './bootstrap.mjs';
import { canConnect, freePort, startLocalServices } from './local-services.mjs';
import { INGRESS_NODE_FLAGS, WORKER_NODE_FLAGS } from './node-options.mjs';

ensureDependencies();
const say = (msg) => process.stdout.write(`kombo-sync: ${msg}\n`);
const tsx = path.join(ROOT, 'node_modules', '.bin', 'tsx');
const children = [];
let services;
let stopping = false;

function startApp(name, entry, env, { args = [], nodeFlags = [] } = {}) {
  // A signal during a wait above: shutdown() has already walked the children, so a late one would be orphaned.
  if (stopping) return null;
  if (!existsSync(path.join(ROOT, entry))) {
    say(`${name}: not built yet (${entry} missing), skipped`);
    return null;
  }
  // `node --import tsx` rather than the tsx wrapper: a signal then reaches the app itself, never an orphaned child.
  const child = spawn(process.execPath, [...nodeFlags, '--import', 'tsx', entry, ...args], {
    cwd: ROOT,
    // The live summary is the newcomer's view; app logs show warnings unless LOG_LEVEL asks for more.
    env: {
      ...process.env,
      ...env,
      LOG_FORMAT: process.env.LOG_FORMAT ?? 'json',
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const prefix = `[${name}] `;
  for (const stream of [child.stdout, child.stderr]) {
    let buffered = '';
    stream.on('data', (chunk) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) process.stdout.write(prefix + line + '\n');
    });
  }
  child.on('exit', (code, signal) => {
    if (!stopping) {
      say(`${name} exited (${signal ?? code}); stopping the fleet`);
      void shutdown(1);
    }
  });
  children.push({ name, child });
  return child;
}

async function stopChild({ name, child }, timeoutMs = 15_000) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => {
    say(`${name} did not stop within ${timeoutMs} ms; killing it`);
    child.kill('SIGKILL');
  }, timeoutMs);
  await exited;
  clearTimeout(timer);
}

async function shutdown(code = 0) {
  if (stopping) return;
  stopping = true;
  say('stopping…');
  // Order: the webhook source first, then the door (ingress), then the workers (they finish their pages), the
  // dashboard, and the servers last.
  const order = ['sandbox', 'ingress', 'worker-1', 'worker-2', 'dashboard'];
  for (const name of order) {
    const entry = children.find((c) => c.name === name);
    if (entry) await stopChild(entry);
  }
  await services?.stop();
  say('stopped');
  process.exit(code);
}

process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));
// Under `npm start`, a supervisor that kills npm outright (SIGKILL) would orphan the fleet: stop when npm is gone.
if (process.env.npm_lifecycle_event === 'start') {
  const parentPid = process.ppid;
  setInterval(() => {
    if (process.ppid !== parentPid) void shutdown(0);
  }, 1_000).unref();
}

try {
  services = await startLocalServices({ log: say });
} catch (err) {
  say(err.message);
  process.exit(1);
}
const env = { ...services.env };

const migrate = spawnSync(tsx, ['packages/db/src/migrate-cli.ts'], {
  cwd: ROOT,
  env: { ...process.env, ...env },
  stdio: 'inherit',
});
if (migrate.status !== 0) {
  say('migrations failed');
  await services.stop();
  process.exit(1);
}

const ingressPort = Number(process.env.INGRESS_PORT ?? 3000);
const dashboardPort = Number(process.env.DASHBOARD_PORT ?? 3001);
const usesSandbox = !process.env.KOMBO_API_KEY;
const sandbox = usesSandbox
  ? {
      port: await freePort(),
      apiKey: 'sandbox-key',
      webhookSecret: process.env.KOMBO_WEBHOOK_SECRETS?.split(',')[0]?.trim() || 'sandbox-webhook-secret',
    }
  : null;
if (sandbox) {
  Object.assign(env, {
    KOMBO_API_URL: `http://127.0.0.1:${sandbox.port}/v1`,
    KOMBO_API_KEY: sandbox.apiKey,
    KOMBO_WEBHOOK_SECRETS: process.env.KOMBO_WEBHOOK_SECRETS ?? sandbox.webhookSecret,
  });
}

// The apps run with their production V8 settings (scripts/node-options.mjs; README, "Memory").
startApp(
  'ingress',
  'apps/ingress/src/main.ts',
  { ...env, INGRESS_PORT: String(ingressPort) },
  { nodeFlags: INGRESS_NODE_FLAGS },
);
startApp('dashboard', 'apps/dashboard/src/main.ts', { ...env, DASHBOARD_PORT: String(dashboardPort) });

// The sandbox sends webhooks as soon as its demo integrations exist, so it starts once the ingress answers.
if (sandbox) {
  await waitForHttp(`http://127.0.0.1:${ingressPort}/readyz`, 30_000);
  startApp('sandbox', 'apps/sandbox/src/main.ts', {
    SANDBOX_PORT: String(sandbox.port),
    SANDBOX_API_KEY: sandbox.apiKey,
    SANDBOX_WEBHOOK_URL: `http://127.0.0.1:${ingressPort}/webhooks/kombo`,
    SANDBOX_WEBHOOK_SECRET: sandbox.webhookSecret,
    SANDBOX_DEMO: 'true',
  });
  // The workers check the API key at start: against a sandbox not yet listening that is a retry and a warning each.
  await waitFor(() => canConnect(sandbox.port), 30_000, `the sandbox (port ${sandbox.port})`);
  say(`no KOMBO_API_KEY set: using the Kombo sandbox at ${env.KOMBO_API_URL} with demo integrations`);
}
// Webhooks that arrive before the workers are up wait in the queue.
for (const name of ['worker-1', 'worker-2']) {
  startApp(
    name,
    'apps/worker/src/main.ts',
    { ...env, WORKER_METRICS_PORT: String(await freePort()) },
    { nodeFlags: WORKER_NODE_FLAGS },
  );
}

say(`ingress    http://127.0.0.1:${ingressPort}/webhooks/kombo   (metrics: /metrics)`);
say(`dashboard  http://127.0.0.1:${dashboardPort}/               (Bull Board: /queues)`);
say('press Ctrl-C to stop (app logs: warnings only; LOG_LEVEL=info for more)');
startLiveSummary(env.DATABASE_URL);

async function waitForHttp(url, timeoutMs) {
  return waitFor(
    async () => {
      try {
        return (await fetch(url)).ok;
      } catch {
        return false; // not up yet
      }
    },
    timeoutMs,
    url,
  );
}

/** Polls `check` until it resolves true; resolves false (saying so unless stopping) after `timeoutMs` or on stop. */
async function waitFor(check, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !stopping) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  if (!stopping) say(`${what} did not answer within ${timeoutMs} ms`);
  return false;
}

/** Every 10 s (KOMBO_SYNC_SUMMARY_INTERVAL_MS) one line: integrations synced, rows mirrored, the last run. Read-only queries on Postgres. */
async function startLiveSummary(databaseUrl) {
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 });
  pool.on('error', () => {});
  const tables = (await import('./model-tables.mjs')).MODEL_TABLES;
  const rowsSql = tables.map((t) => `(SELECT count(*) FROM ${t})`).join(' + ');
  const timer = setInterval(
    async () => {
      try {
        const { rows } = await pool.query(`
        SELECT (SELECT count(*) FROM integrations WHERE deleted_at IS NULL) AS integrations,
               (SELECT count(DISTINCT integration_id) FROM sync_state WHERE last_success_at IS NOT NULL) AS synced,
               (${rowsSql}) AS rows,
               (SELECT count(*) FROM sync_runs) AS runs,
               (SELECT max(finished_at) FROM sync_runs) AS last_run`);
        const r = rows[0];
        const ago = r.last_run
          ? `${Math.round((Date.now() - new Date(r.last_run).getTime()) / 1000)}s ago`
          : 'none yet';
        say(
          `integrations ${r.synced}/${r.integrations} synced · ${Number(r.rows).toLocaleString('en-US')} rows · ${r.runs} runs · last run ${ago}`,
        );
      } catch {
        /* tables not there yet, or stopping */
      }
    },
    Number(process.env.KOMBO_SYNC_SUMMARY_INTERVAL_MS ?? 10_000),
  );
  timer.unref();
}
