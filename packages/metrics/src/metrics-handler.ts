import type { Registry } from 'prom-client';

/** What the handler needs of a response: an Express `Response` fits, and so does a thin wrapper of node's. */
export interface MetricsResponse {
  setHeader(name: string, value: string): unknown;
  status(code: number): MetricsResponse;
  end(body?: string): unknown;
}

export interface MetricsHandlerOptions {
  /** Runs before each scrape to refresh on-demand gauges (queue depth, watermark lag). */
  onScrape?: () => Promise<void>;
  /** Called when `onScrape` fails; the scrape is still answered with the last known values. */
  onScrapeError?: (err: unknown) => void;
}

/**
 * An Express handler serving `registry` in the Prometheus text exposition format (mount at `/metrics`). A failing
 * `onScrape` (e.g. Redis down) does not fail the scrape: process metrics stay visible.
 */
export function metricsHandler(registry: Registry, { onScrape, onScrapeError }: MetricsHandlerOptions = {}) {
  return async (_req: unknown, res: MetricsResponse): Promise<void> => {
    if (onScrape) {
      try {
        await onScrape();
      } catch (err) {
        onScrapeError?.(err);
      }
    }
    const body = await registry.metrics();
    res.setHeader('Content-Type', registry.contentType);
    res.status(200).end(body);
  };
}
