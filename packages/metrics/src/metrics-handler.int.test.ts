import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import express from 'express';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createMetrics, metricsHandler } from './index.js';
import { parseExposition, sampleValue } from './testing/parse-exposition.js';

describe('metricsHandler over HTTP', () => {
  const metrics = createMetrics({ service: 'dashboard' });
  let scrapes = 0;
  let server: Server;
  let url: string;

  beforeAll(async () => {
    const app = express();
    app.get(
      '/metrics',
      metricsHandler(metrics.registry, {
        onScrape: async () => {
          scrapes += 1;
          if (scrapes === 2) throw new Error('redis down');
          metrics.queueJobs.set({ queue: 'q', state: 'waiting' }, scrapes);
        },
      }),
    );
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('serves parseable text, refreshed on each scrape, even when onScrape fails', async () => {
    const first = await fetch(url);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toContain('text/plain');
    expect(sampleValue(parseExposition(await first.text()), 'kombo_sync_queue_jobs', { queue: 'q' })).toBe(1);

    const second = await fetch(url);
    expect(second.status).toBe(200);
    expect(sampleValue(parseExposition(await second.text()), 'kombo_sync_queue_jobs', { queue: 'q' })).toBe(
      1,
    );

    const third = await fetch(url);
    expect(sampleValue(parseExposition(await third.text()), 'kombo_sync_queue_jobs', { queue: 'q' })).toBe(3);
  });
});
