// The sender against real HTTP servers on loopback: the SSRF guard (literal and resolved names), the deadline, no
// redirects, the response cap.
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, describe, expect, it } from '@jest/globals';
import { sendWebhook } from './send-webhook.js';

const servers: Server[] = [];
const hits: string[] = [];

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<number> {
  const server = createServer((req, res) => {
    hits.push(req.url ?? '');
    handler(req, res);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  servers.push(server);
  return (server.address() as AddressInfo).port;
}

afterEach(() => {
  hits.length = 0;
});
afterAll(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    server.close();
  }
});

const send = (url: string, isPrivateAllowed: boolean, timeoutMs = 2_000) =>
  sendWebhook({ url, headers: { 'webhook-id': 'msg_1' }, body: '{"a":1}', timeoutMs, isPrivateAllowed });

describe('sendWebhook', () => {
  it('delivers to an allowed target and reports the status', async () => {
    const port = await serve((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () =>
        res.writeHead(body === '{"a":1}' && req.headers['webhook-id'] === 'msg_1' ? 204 : 400).end(),
      );
    });
    expect(await send(`http://127.0.0.1:${port}/ok`, true)).toMatchObject({
      outcome: 'delivered',
      statusCode: 204,
    });
  });

  it('refuses loopback targets unless allowed, literal or resolved, before sending a byte', async () => {
    const port = await serve((_req, res) => res.writeHead(200).end());
    for (const host of ['127.0.0.1', '[::ffff:127.0.0.1]', 'localhost']) {
      const result = await send(`http://${host}:${port}/x`, false);
      expect(result).toMatchObject({ outcome: 'refused', statusCode: null });
      expect(result.error).toMatch(/^target refused: .*loopback/);
    }
    expect(hits).toEqual([]);
  });

  it('cuts a hanging receiver at the timeout', async () => {
    const port = await serve(() => undefined);
    const result = await send(`http://127.0.0.1:${port}/hang`, true, 300);
    expect(result).toMatchObject({ outcome: 'timeout', statusCode: null, error: 'timed out after 300 ms' });
  });

  it('does not follow redirects', async () => {
    const port = await serve((req, res) =>
      req.url === '/from' ? res.writeHead(302, { location: '/to' }).end() : res.writeHead(200).end(),
    );
    expect(await send(`http://127.0.0.1:${port}/from`, true)).toMatchObject({
      outcome: 'failed',
      statusCode: 302,
    });
    expect(hits).toEqual(['/from']);
  });

  it('reads a bounded part of a huge response and passes Retry-After on', async () => {
    const port = await serve((_req, res) => {
      res.writeHead(503, { 'retry-after': '120' });
      const chunk = Buffer.alloc(64 * 1024, 'x');
      const write = () => {
        while (res.write(chunk));
        res.once('drain', write);
      };
      write();
    });
    expect(await send(`http://127.0.0.1:${port}/big`, true)).toMatchObject({
      outcome: 'failed',
      statusCode: 503,
      retryAfterMs: 120_000,
    });
  });

  it('reports a refused connection as a network failure', async () => {
    const port = await serve(() => undefined);
    servers.pop()?.close();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(await send(`http://127.0.0.1:${port}/`, true)).toMatchObject({
      outcome: 'network',
      error: 'ECONNREFUSED',
    });
  });
});
