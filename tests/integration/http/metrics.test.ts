import { resetConfig } from '../../../lib/config';
import {
  METRICS_NAMESPACE,
  type Dimensions,
  type MetricPoint,
  recordRequest,
  setMetricSink,
} from '../../../lib/metrics';
import { generateLibrary } from '../../../dev/fakes';
import { createUserAndLogin } from '../../../dev/users';
import { capturedLogs } from '../../helpers/logs';
import { getUnused, startMediaFixture, type MediaFixture } from '../../helpers/media-fixture';

/** The metrics of docs/metrics.md, as the code writes them. */
interface Written {
  dimensions: Dimensions;
  points: MetricPoint[];
}
let written: Written[] = [];
const named = (name: string) => written.filter((w) => w.points.some((p) => p.name === name));

let fixture: MediaFixture;
beforeAll(async () => {
  fixture = await startMediaFixture(generateLibrary({ seed: 3, movies: 30, episodes: 40, artists: 2, photos: 2 }));
});
afterAll(async () => {
  setMetricSink(undefined);
  await fixture.close();
});
beforeEach(() => {
  written = [];
  setMetricSink((dimensions, points) => written.push({ dimensions, points }));
});

describe('metrics', () => {
  it('count requests by route and status, with latency, and cache results by route', async () => {
    const { token } = await createUserAndLogin('metrics-user');
    const miss = await getUnused(token, '1', { threshold: '30' });
    expect(miss.headers['x-cache']).toBe('miss');
    const hit = await getUnused(token, '1', { threshold: '30' });
    expect(hit.headers['x-cache']).toBe('hit');
    const route = 'GET /api/library/{id}/unused';
    const requests = named('Requests').filter((w) => w.dimensions.route === route);
    expect(requests.map((w) => w.dimensions)).toEqual([
      { route, status: '200' },
      { route, status: '200' },
    ]);
    const latencies = named('Latency').filter((w) => w.dimensions.route === route);
    expect(latencies.map((w) => w.dimensions)).toEqual([{ route }, { route }]);
    expect(latencies[0]?.points.find((p) => p.name === 'Latency')?.unit).toBe('Milliseconds');
    expect(named('CacheMiss').map((w) => w.dimensions)).toEqual([{ route }]);
    expect(named('CacheHit').map((w) => w.dimensions)).toEqual([{ route }]);
  });

  it('time every upstream call by service, counting failures, and every build with its items', async () => {
    const { token } = await createUserAndLogin('metrics-user-2');
    await getUnused(token, '2', { threshold: '30', refresh: 'true' });
    const upstreams = new Set(named('UpstreamCalls').map((w) => w.dimensions.upstream));
    expect(upstreams).toEqual(new Set(['plex', 'tautulli']));
    expect(named('UpstreamErrors').every((w) => w.points.find((p) => p.name === 'UpstreamErrors')?.value === 0)).toBe(
      true,
    );
    const build = named('BuildItems')[0];
    expect(build?.dimensions).toEqual({ libraryType: 'show' });
    expect(build?.points.find((p) => p.name === 'BuildItems')?.value).toBeGreaterThan(0);

    written = [];
    fixture.plex.setFault({ kind: 'status', status: 500, times: 1 });
    await getUnused(token, '2', { threshold: '30', refresh: 'true' });
    fixture.plex.clearFaults();
    expect(
      named('UpstreamErrors').some((w) => w.points.some((p) => p.name === 'UpstreamErrors' && p.value === 1)),
    ).toBe(true);
  });

  it('are CloudWatch EMF lines through Powertools in AWS Lambda', () => {
    setMetricSink(undefined);
    process.env.AWS_LAMBDA_FUNCTION_NAME = 'plm-unused';
    resetConfig();
    try {
      recordRequest('GET /api/health', 200, 12.5);
    } finally {
      delete process.env.AWS_LAMBDA_FUNCTION_NAME;
      resetConfig();
      setMetricSink(undefined);
    }
    const emf = capturedLogs()
      .split('\n')
      .filter((l) => l.includes('"_aws"'))
      .map(
        (l) =>
          JSON.parse(l) as Record<string, unknown> & { _aws: { CloudWatchMetrics: Array<Record<string, unknown>> } },
      );
    expect(emf).toHaveLength(2);
    expect(emf[0]?._aws.CloudWatchMetrics[0]).toMatchObject({
      Namespace: METRICS_NAMESPACE,
      Dimensions: [['service', 'route', 'status']],
    });
    expect(emf[0]).toMatchObject({ service: 'plm', route: 'GET /api/health', status: '200', Requests: 1 });
    expect(emf[1]?._aws.CloudWatchMetrics[0]).toMatchObject({ Dimensions: [['service', 'route']] });
    expect(emf[1]).toMatchObject({ route: 'GET /api/health', Latency: 12.5 });
    // Powertools has nothing to warn about (it would log through plm's logger).
    expect(capturedLogs()).not.toContain('EMF key');
  });

  it('are not written outside Lambda (npm start, npm run serve, tests)', () => {
    setMetricSink(undefined);
    const before = capturedLogs().split('"_aws"').length;
    recordRequest('GET /api/health', 200, 1);
    expect(capturedLogs().split('"_aws"').length).toBe(before);
  });
});
