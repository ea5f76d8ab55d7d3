export interface IntegrationRequestStats {
  requests: number;
  inFlight: number;
  maxInFlight: number;
  /** List requests whose exact URL (path and query: model, cursor, filters) this integration had requested before. */
  repeatedPages: number;
}

export interface SandboxStats {
  requests: number;
  byIntegration: Record<string, IntegrationRequestStats>;
}

/** Request counters for tests: totals and per-integration in-flight / max in-flight. */
export class RequestStats {
  private requests = 0;
  private byIntegration = new Map<string, IntegrationRequestStats>();
  /** The list URLs each integration requested since the last reset. */
  private pagesSeen = new Map<string, Set<string>>();

  /**
   * Counts a request (`pageUrl`: a list request's path and query, to count pages requested again); returns the
   * function to call once it is over (answered or abandoned).
   */
  begin(integrationId: string | undefined, pageUrl?: string): () => void {
    this.requests += 1;
    if (!integrationId) return () => undefined;
    let entry = this.byIntegration.get(integrationId);
    if (!entry) {
      entry = { requests: 0, inFlight: 0, maxInFlight: 0, repeatedPages: 0 };
      this.byIntegration.set(integrationId, entry);
    }
    const stats = entry;
    stats.requests += 1;
    if (pageUrl !== undefined) {
      const seen = this.pagesSeen.get(integrationId) ?? new Set<string>();
      this.pagesSeen.set(integrationId, seen);
      if (seen.has(pageUrl)) stats.repeatedPages += 1;
      else seen.add(pageUrl);
    }
    stats.inFlight += 1;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    let isDone = false;
    return () => {
      if (isDone) return;
      isDone = true;
      stats.inFlight -= 1;
    };
  }

  snapshot(): SandboxStats {
    return {
      requests: this.requests,
      byIntegration: Object.fromEntries([...this.byIntegration].map(([id, s]) => [id, { ...s }])),
    };
  }

  /** Zeroes the counters (in-flight requests keep counting down from their own entries). */
  reset(): void {
    this.requests = 0;
    this.pagesSeen.clear();
    for (const [id, entry] of this.byIntegration) {
      if (entry.inFlight === 0) this.byIntegration.delete(id);
      else {
        entry.requests = 0;
        entry.repeatedPages = 0;
        entry.maxInFlight = entry.inFlight;
      }
    }
  }
}
