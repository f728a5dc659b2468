import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';
import { usableConfig } from './config';
import { SERVICE_NAME, logger } from './logger';

/**
 * plm's metrics, as CloudWatch embedded metric format (EMF) lines through
 * Powertools Metrics, sharing the logger's set-up (service name, and the logger
 * for Powertools' own warnings). Every name and dimension is listed in
 * docs/metrics.md. Each call writes its line at once, so concurrent requests
 * never share a line.
 *
 * EMF means something only to CloudWatch: metrics are written in AWS Lambda
 * only; elsewhere (tests, npm start, npm run serve) they go nowhere unless a
 * sink is installed.
 */
export const METRICS_NAMESPACE = 'plm';

type Unit = (typeof MetricUnit)[keyof typeof MetricUnit];
export interface MetricPoint {
  name: string;
  unit: Unit;
  value: number;
}
export type Dimensions = Record<string, string>;
/** Writes points under one set of dimensions (and `service`): one EMF line. */
export type MetricSink = (dimensions: Dimensions, points: MetricPoint[]) => void;

/**
 * One Metrics object for the container, made on the first line (its constructor reads the
 * environment and makes a console). A line is added and published without an await in
 * between, and publishing clears what it held, so requests never share a line.
 */
let emf: Metrics | undefined;

const emfSink: MetricSink = (dimensions, points) => {
  emf ??= new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME, logger });
  const metrics = emf;
  for (const [name, value] of Object.entries(dimensions)) metrics.addDimension(name, value);
  for (const point of points) metrics.addMetric(point.name, point.unit, point.value);
  metrics.publishStoredMetrics();
};

const noSink: MetricSink = () => undefined;

let sink: MetricSink | undefined;

/** Tests: capture metrics (undefined: back to the runtime's choice). */
export const setMetricSink = (next: MetricSink | undefined): void => {
  sink = next;
};

/** EMF in real Lambda, nothing elsewhere; undecided (nothing written) while the configuration is unusable. */
const currentSink = (): MetricSink => {
  if (sink) return sink;
  const runtime = usableConfig()?.runtime;
  if (!runtime) return noSink;
  sink = runtime === 'aws-lambda' ? emfSink : noSink;
  return sink;
};

const emit = (dimensions: Dimensions, points: MetricPoint[]): void => {
  try {
    currentSink()(dimensions, points);
  } catch (error) {
    // A metric must never fail the request it describes.
    logger.warn('metrics not written', { error });
  }
};

/** One answered request: counted by route and status; its latency and cache result by route. */
export const recordRequest = (route: string, status: number, durationMs: number, cache?: string): void => {
  emit({ route, status: String(status) }, [{ name: 'Requests', unit: MetricUnit.Count, value: 1 }]);
  const byRoute: MetricPoint[] = [{ name: 'Latency', unit: MetricUnit.Milliseconds, value: durationMs }];
  if (cache === 'hit' || cache === 'miss' || cache === 'stale') {
    byRoute.push({ name: `Cache${cache[0]?.toUpperCase()}${cache.slice(1)}`, unit: MetricUnit.Count, value: 1 });
  }
  emit({ route }, byRoute);
};

/** One call (attempt) to Plex or Tautulli: no answer or an HTTP error counts as an error. */
export const recordUpstreamCall = (upstream: string, durationMs: number, failed: boolean): void =>
  emit({ upstream }, [
    { name: 'UpstreamCalls', unit: MetricUnit.Count, value: 1 },
    { name: 'UpstreamDuration', unit: MetricUnit.Milliseconds, value: durationMs },
    { name: 'UpstreamErrors', unit: MetricUnit.Count, value: failed ? 1 : 0 },
  ]);

/** One library snapshot built from the upstreams. */
export const recordBuild = (libraryType: string, durationMs: number, items: number): void =>
  emit({ libraryType }, [
    { name: 'BuildDuration', unit: MetricUnit.Milliseconds, value: durationMs },
    { name: 'BuildItems', unit: MetricUnit.Count, value: items },
  ]);
