import t from 'tap';
import { Histogram, Registry } from 'prom-client';
import { LatencyHistogram } from '../../src/server/latency-histogram.js';

const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10];

t.test('renders exactly what prom-client Histogram renders for the same observations', async (t) => {
  const ours = new Registry();
  const theirs = new Registry();
  const opts = { name: 'x_seconds', help: 'Latency "quoted" \\ and\nnewline.', labelNames: ['method', 'route', 'status_code'], buckets: BUCKETS };
  const h = new LatencyHistogram({ ...opts, registers: [ours] });
  const p = new Histogram({ ...opts, registers: [theirs] });
  const series = [
    { method: 'GET', route: '/v1/processes/:pid', status_code: '200' },
    { method: 'POST', route: '/graphql', status_code: '400' },
    { method: 'GET', route: 'unmatched', status_code: '404' },
  ];
  let x = 7;
  for (let i = 0; i < 5000; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    const labels = series[i % 3]!;
    // Values at, between and beyond the bounds.
    const v = i % 50 === 0 ? BUCKETS[i % BUCKETS.length]! : i % 97 === 0 ? 20 + i : (x / 2147483648) * 0.3;
    h.labels(labels).observe(v);
    p.observe(labels, v);
  }
  t.equal(await ours.metrics(), await theirs.metrics());
  t.same(await ours.getMetricsAsJSON(), await theirs.getMetricsAsJSON());
  ours.resetMetrics();
  theirs.resetMetrics();
  // prom-client forgets its series on reset, ours stay at zero: observe once on both sides.
  for (const l of series) p.labels(l).observe(0);
  for (const l of series) h.labels(l).observe(0);
  t.equal(await ours.metrics(), await theirs.metrics());
});
