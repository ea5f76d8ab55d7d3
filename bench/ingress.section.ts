import { benchIngress } from './ingress.bench.js';
import type { SectionContext } from './report.js';
import { print } from './services.js';

/** The ingress section: bare Express against the full webhook path (and with tracing on, when asked). */
export async function ingressSection({
  redisUrl,
  sizes,
  isSet,
  row,
  compared,
  context,
}: SectionContext): Promise<void> {
  const r = await benchIngress({
    redisUrl,
    durationS: sizes.ingressSeconds,
    rounds: sizes.ingressRounds,
    withTracing: isSet('BENCH_INGRESS_TRACING'),
  });
  for (const [i, round] of r.rounds.entries()) {
    print(
      `ingress round ${i + 1}: bare ${round.bare.rps} req/s (p99 ${round.bare.p99} ms), ` +
        `full ${round.full.rps} req/s (p99 ${round.full.p99} ms)`,
    );
  }
  print(
    `ingress (medians): bare ${r.bare.rps} req/s (p50 ${r.bare.p50} ms, p99 ${r.bare.p99} ms); full ${r.full.rps} ` +
      `req/s (p50 ${r.full.p50} ms, p99 ${r.full.p99} ms); ratio ${r.ratio}; peak RSS full ${r.peakRssMiB.full} MiB`,
  );
  compared(
    'ingress webhook throughput',
    r.full.rps,
    'req/s',
    { name: 'bare Express', value: r.bare.rps },
    '≥ 0.6×',
    (x) => x >= 0.6,
  );
  row({
    name: 'ingress webhook latency p99',
    value: r.full.p99,
    unit: 'ms',
    baseline: { name: 'bare Express', value: r.bare.p99 },
    ratio: r.full.p99 / r.bare.p99,
    target: '< 20 ms',
    isMet: r.full.p99 < 20,
  });
  if (r.traced) {
    print(
      `ingress traced (OTLP to an in-process collector): ${r.traced.figures.rps} req/s (p99 ` +
        `${r.traced.figures.p99} ms); ${r.traced.exportRequests} export requests`,
    );
    context('ingress webhook throughput, tracing on', r.traced.figures.rps, 'req/s', {
      name: 'tracing off',
      value: r.full.rps,
    });
  }
}
