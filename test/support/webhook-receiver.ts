// A customer's webhook receiver for the delivery tests, run as its own process (`tsx test/support/webhook-receiver.ts`):
// verifies every request with the `standardwebhooks` package (an implementation independent of ours), answers 500
// while its clock is before `failUntilMs`, processes each `webhook-id` once, and reports what it saw.
//
// Its clock is the test's simulated clock: the test sets it with POST /__control { clockMs }. Date.now is replaced in
// this process only, so the library's timestamp tolerance (5 min) is checked against simulated time, as a real
// receiver's would be against its real clock.
//
// Env: RECEIVER_SECRETS (comma-separated `whsec_` secrets it trusts). Prints `{"port":N}` once listening.
// Routes: POST /hooks (the endpoint), POST /hang (never answers), POST /__control, GET /__state.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

const realNow = Date.now.bind(Date);
let clockMs: number | undefined;
Date.now = () => clockMs ?? realNow();

const hooks = (process.env['RECEIVER_SECRETS'] ?? '').split(',').map((secret) => new Webhook(secret));
let failUntilMs = 0;
let delayMs = 0;
const state = {
  requests: 0,
  failures: 0,
  invalid: [] as string[],
  duplicates: [] as string[],
  processed: [] as { id: string; timestamp: number; data: Record<string, unknown> }[],
};
const seen = new Set<string>();

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function verify(body: string, headers: Record<string, string>): { data: Record<string, unknown> } | string {
  let lastError = 'no secret';
  for (const hook of hooks) {
    try {
      return hook.verify(body, headers) as { data: Record<string, unknown> };
    } catch (err) {
      lastError = err instanceof Error ? err.message : String(err);
    }
  }
  return lastError;
}

const server = createServer((req, res) => {
  void (async () => {
    const body = await readBody(req);
    if (req.url === '/__control') {
      const control = JSON.parse(body) as { clockMs?: number; failUntilMs?: number; delayMs?: number };
      if (control.clockMs !== undefined) clockMs = control.clockMs;
      if (control.failUntilMs !== undefined) failUntilMs = control.failUntilMs;
      if (control.delayMs !== undefined) delayMs = control.delayMs;
      return res.writeHead(204).end();
    }
    if (req.url === '/__state')
      return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(state));
    if (req.url === '/hang') return;
    state.requests++;
    const headers = Object.fromEntries(
      Object.entries(req.headers).map(([name, value]) => [
        name,
        Array.isArray(value) ? value.join(',') : (value ?? ''),
      ]),
    );
    const verified = verify(body, headers);
    const id = headers['webhook-id'] ?? '';
    if (typeof verified === 'string') {
      state.invalid.push(`${id}: ${verified}`);
      return res.writeHead(401).end();
    }
    if (Date.now() < failUntilMs) {
      state.failures++;
      return res.writeHead(500).end('not yet');
    }
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    if (seen.has(id)) state.duplicates.push(id);
    else {
      seen.add(id);
      state.processed.push({ id, timestamp: Number(headers['webhook-timestamp']), data: verified.data });
    }
    res.writeHead(200).end();
  })().catch(() => res.writeHead(500).end());
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
});
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
