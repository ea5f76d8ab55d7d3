// The SDK start-up against a real OTLP/HTTP collector (a local HTTP server on port 0).
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { buildConfig, tracingSettings } from '@kombo-sync/config';
import { trace } from '@opentelemetry/api';
import { startTracing } from './start-tracing.js';

interface Export {
  path: string | undefined;
  headers: IncomingHttpHeaders;
  body: string;
}

let collector: Server;
let collectorUrl: string;
const exports: Export[] = [];
beforeAll(async () => {
  collector = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      exports.push({ path: req.url, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  collector.listen(0, '127.0.0.1');
  await once(collector, 'listening');
  collectorUrl = `http://127.0.0.1:${(collector.address() as AddressInfo).port}/`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => collector.close(() => resolve()));
});

describe('startTracing', () => {
  it('loads nothing without an endpoint', async () => {
    expect(await startTracing(buildConfig(tracingSettings, {}), 'kombo-sync-test')).toBeUndefined();
  });

  it("exports the process's spans to <endpoint>/v1/traces with the headers, and flushes them on stop", async () => {
    const config = buildConfig(tracingSettings, {
      otlpEndpoint: collectorUrl,
      otlpHeaders: { 'x-api-key': 'collector-key' },
    });
    const stop = await startTracing(config, 'kombo-sync-test');
    expect(stop).toBeDefined();
    trace.getTracer('test').startSpan('probe span').end();
    await stop!();
    expect(exports).toHaveLength(1);
    expect(exports[0]).toMatchObject({ path: '/v1/traces', headers: { 'x-api-key': 'collector-key' } });
    expect(exports[0]!.body).toContain('kombo-sync-test');
    expect(exports[0]!.body).toContain('probe span');
  });
});
