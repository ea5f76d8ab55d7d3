// Tracing through the real path: signed webhooks to the real ingress over HTTP, real Redis, a real worker against
// the sandbox over HTTP, real Postgres. An in-memory exporter (registered as the global tracer provider, as main.ts
// does with the OTLP exporter) reads the spans: webhook → record intent → send → job → run → model → page fetch /
// page write, the job continuing the trace of the request that added it and the run linked to every webhook the
// coalesced job carries. Attributes hold ids and counts, never a key, a signature or a body. Last, a real worker
// process (main.ts) started with OTEL_EXPORTER_OTLP_ENDPOINT exports its spans over OTLP/HTTP to a stand-in collector.
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import {
  createServer as createNetServer,
  type AddressInfo,
  type Server as NetServer,
  type Socket,
} from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { context, propagation, SpanKind, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { SECRET, events, startHarness as startIngress } from '@kombo-sync/ingress/testing';
import {
  API_KEY,
  createdIntent,
  createHarness,
  HRIS_TEST_MODELS,
  spawnWorkerProcess,
  type WorkerHarness,
} from '@kombo-sync/worker/testing';

const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });

let h: WorkerHarness;
let ingress: Awaited<ReturnType<typeof startIngress>>;

beforeAll(async () => {
  provider.register();
  h = await createHarness();
  ingress = await startIngress({ prefix: h.prefix });
});

afterAll(async () => {
  await ingress?.close();
  await h?.close();
  await provider.shutdown();
  trace.disable();
  context.disable();
  propagation.disable();
});

const spans = () => exporter.getFinishedSpans();
const named = (name: string, within: readonly ReadableSpan[] = spans()) =>
  within.filter((s) => s.name === name);
const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;
const childrenOf = (parent: ReadableSpan, name: string) =>
  named(name).filter(
    (s) =>
      parentOf(s) === parent.spanContext().spanId && s.spanContext().traceId === parent.spanContext().traceId,
  );
/** Listens on a free loopback port; the collector's base URL. */
async function collectorEndpoint(collector: NetServer): Promise<string> {
  collector.listen(0, '127.0.0.1');
  await once(collector, 'listening');
  return `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
}

const only = <T>(list: readonly T[]): T => {
  expect(list).toHaveLength(1);
  return list[0] as T;
};

describe('tracing', () => {
  it('follows a webhook to its run, and links a coalesced run to every webhook it carries', async () => {
    const { id } = h.sandbox.createIntegration({ sizes: { employees: 45 } });

    // integration-created → the onboarding lane: one trace from the webhook to the page writes.
    const created = events.integrationCreated(id);
    const worker = h.startWorker();
    expect((await ingress.post(created)).status).toBe(200);
    await h.waitForIdle(60_000);
    await h.expectExact(id, HRIS_TEST_MODELS);
    await worker.close(5_000);

    const webhook = only(
      named('POST /webhooks/kombo').filter((s) => s.attributes['kombo_sync.webhook.event_id'] === created.id),
    );
    expect(webhook.kind).toBe(SpanKind.SERVER);
    expect(webhook.parentSpanContext).toBeUndefined();
    expect(webhook.attributes).toMatchObject({
      'kombo_sync.integration_id': id,
      'kombo_sync.webhook.type': 'integration-created',
      'kombo_sync.replay': false,
      'http.response.status_code': 200,
    });
    only(childrenOf(webhook, 'record intent'));
    const send = only(childrenOf(webhook, 'send kombo-sync-onboarding'));
    expect(send.kind).toBe(SpanKind.PRODUCER);
    const job = only(childrenOf(send, 'process kombo-sync-onboarding'));
    expect(job.kind).toBe(SpanKind.CONSUMER);
    expect(job.attributes).toMatchObject({
      'kombo_sync.integration_id': id,
      'kombo_sync.lane': 'onboarding',
      'kombo_sync.job.outcome': 'synced',
      'messaging.message.id': send.attributes['messaging.message.id'],
    });
    const run = only(childrenOf(job, 'sync run'));
    expect(run.attributes).toMatchObject({ 'kombo_sync.mode': 'full', 'kombo_sync.run.status': 'succeeded' });
    expect(run.links.map((link) => link.context.spanId)).toEqual([webhook.spanContext().spanId]);
    const models = childrenOf(run, 'sync model');
    expect(models.map((s) => s.attributes['kombo_sync.model']).sort()).toEqual([...HRIS_TEST_MODELS].sort());
    const employees = only(models.filter((s) => s.attributes['kombo_sync.model'] === 'hris_employees'));
    // 45 employees at 20 a page.
    expect(employees.attributes).toMatchObject({
      'kombo_sync.integration_id': id,
      'kombo_sync.model.status': 'succeeded',
      'kombo_sync.pages': 3,
      'kombo_sync.records': 45,
      'kombo_sync.records.upserted': 45,
    });
    for (const model of models) {
      const fetches = childrenOf(model, 'fetch page');
      const writes = childrenOf(model, 'write page');
      expect(fetches).toHaveLength(model.attributes['kombo_sync.pages'] as number);
      expect(writes).toHaveLength(model.attributes['kombo_sync.pages'] as number);
      expect(fetches.every((s) => s.kind === SpanKind.CLIENT)).toBe(true);
      const fetched = fetches.reduce(
        (sum, s) => sum + (s.attributes['kombo_sync.page.records'] as number),
        0,
      );
      const written = writes.reduce((sum, s) => sum + (s.attributes['kombo_sync.page.records'] as number), 0);
      expect(fetched).toBe(model.attributes['kombo_sync.records']);
      expect(written).toBe(model.attributes['kombo_sync.records']);
    }
    const runPages = models.reduce((sum, s) => sum + (s.attributes['kombo_sync.pages'] as number), 0);
    expect(run.attributes['kombo_sync.pages']).toBe(runPages);

    // Three data-changed webhooks while no worker runs: one delta-lane job carries all three.
    exporter.reset();
    h.sandbox.mutate(id, { updates: 3, models: ['hris_employees'] });
    const changes = [
      events.dataChanged(id, ['hris_employees']),
      events.dataChanged(id, ['hris_groups']),
      events.dataChanged(id, ['hris_employees']),
    ];
    for (const body of changes) expect((await ingress.post(body)).status).toBe(200);
    h.startWorker();
    await h.waitForIdle(60_000);
    await h.expectExact(id, HRIS_TEST_MODELS);

    const webhooks = changes.map((body) =>
      only(
        named('POST /webhooks/kombo').filter((s) => s.attributes['kombo_sync.webhook.event_id'] === body.id),
      ),
    );
    const deltaJob = only(named('process kombo-sync'));
    // The job continues the trace of the webhook whose add created it: the first.
    const firstSend = only(childrenOf(webhooks[0]!, 'send kombo-sync'));
    expect(deltaJob.parentSpanContext?.spanId).toBe(firstSend.spanContext().spanId);
    expect(deltaJob.spanContext().traceId).toBe(webhooks[0]!.spanContext().traceId);
    const deltaRun = only(childrenOf(deltaJob, 'sync run'));
    expect(deltaRun.attributes).toMatchObject({
      'kombo_sync.mode': 'delta',
      'kombo_sync.run.status': 'succeeded',
    });
    // …and its run links to every webhook it carries, traces of their own.
    expect(deltaRun.links.map((link) => link.context.spanId).sort()).toEqual(
      webhooks.map((s) => s.spanContext().spanId).sort(),
    );
    expect(new Set(deltaRun.links.map((link) => link.context.traceId)).size).toBe(3);
    const deltaModels = childrenOf(deltaRun, 'sync model');
    expect(deltaModels.map((s) => s.attributes['kombo_sync.model']).sort()).toEqual([
      'hris_employees',
      'hris_groups',
    ]);
    const changedEmployees = only(
      deltaModels.filter((s) => s.attributes['kombo_sync.model'] === 'hris_employees'),
    );
    expect(changedEmployees.attributes['kombo_sync.records.upserted']).toBe(3);
    expect(childrenOf(changedEmployees, 'write page').length).toBeGreaterThan(0);
  }, 120_000);

  it('never puts a key, a signature, a secret or a webhook body in a span', () => {
    // The spans of the last test (the exporter was reset after the first part): every attribute and status.
    const texts = spans().map((s) =>
      JSON.stringify({ name: s.name, attributes: s.attributes, status: s.status }),
    );
    expect(texts.length).toBeGreaterThan(10);
    const all = texts.join('\n');
    for (const secret of [API_KEY, SECRET, 'x-kombo-signature', 'changed_models', 'integration_tool'])
      expect(all).not.toContain(secret);
  });
});

describe('OTLP export', () => {
  it('a worker process with OTEL_EXPORTER_OTLP_ENDPOINT sends its spans to the collector, flushed on SIGTERM', async () => {
    // A stand-in collector: the JS exporter sends OTLP/HTTP JSON to <endpoint>/v1/traces.
    const exports: { url: string; headers: IncomingHttpHeaders; body: string }[] = [];
    const collector = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        exports.push({ url: req.url ?? '', headers: req.headers, body });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    const endpoint = await collectorEndpoint(collector);
    const own = await createHarness();
    try {
      const worker = spawnWorkerProcess(own, {
        env: {
          SYNC_PAGE_SIZE: '20',
          OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
          OTEL_EXPORTER_OTLP_HEADERS: 'x-collector-token=tok%2C1',
        },
      });
      const { id } = own.sandbox.createIntegration({ sizes: { employees: 25 } });
      await own.trigger(id, createdIntent(id));
      await own.waitForIdle(60_000);
      await own.expectExact(id, HRIS_TEST_MODELS);
      worker.kill('SIGTERM');
      const [code] = (await once(worker, 'exit')) as [number | null];
      expect(code).toBe(0);

      expect(exports.length).toBeGreaterThan(0);
      expect(exports.every((e) => e.url === '/v1/traces')).toBe(true);
      expect(exports[0]?.headers['x-collector-token']).toBe('tok,1');
      const bodies = exports.map((e) => e.body).join('\n');
      expect(bodies).toContain('kombo-sync-worker');
      for (const name of [
        'process kombo-sync-onboarding',
        'sync run',
        'sync model',
        'fetch page',
        'write page',
      ])
        expect(bodies).toContain(`"name":"${name}"`);
      expect(bodies).toContain(id);
      expect(bodies).not.toContain(API_KEY);
    } finally {
      await own.close();
      await new Promise<void>((resolve) => collector.close(() => resolve()));
    }
  }, 120_000);

  it('a worker process whose collector never answers still stops at once on SIGTERM: the flush is bounded', async () => {
    // Accepts connections and never answers: the exporter's request hangs until its own timeout.
    const sockets: Socket[] = [];
    const collector = createNetServer((socket) => void sockets.push(socket));
    const endpoint = await collectorEndpoint(collector);
    const own = await createHarness();
    try {
      const worker = spawnWorkerProcess(own, {
        env: { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint },
        stdout: 'pipe',
      });
      let output = '';
      worker.stdout?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
      const { id } = own.sandbox.createIntegration({ sizes: { employees: 5 } });
      await own.trigger(id, createdIntent(id));
      await own.waitForIdle(60_000);
      worker.kill('SIGTERM');
      const [code] = (await once(worker, 'exit')) as [number | null];
      expect(code).toBe(0);
      expect(output).toContain('could not flush the last spans');
      expect(output).toContain('spans not flushed within 2000 ms');
    } finally {
      for (const socket of sockets) socket.destroy();
      await own.close();
      await new Promise<void>((resolve) => collector.close(() => resolve()));
    }
  }, 120_000);
});
