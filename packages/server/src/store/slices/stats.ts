import type { EndpointStats } from '../types.ts';
import type { AttemptSeriesPoint, AttemptSeriesQuery } from '../stats-types.ts';

/**
 * Aggregates over the attempt log for the dashboard and the API.
 */
export interface StatsStore {
  endpointStats(endpointId: string, since: number | null, until: number | null): Promise<EndpointStats>;
  /**
   * Attempts of an application (or one of its endpoints) made in [since, until), bucket by bucket: every bucket of the
   * range in order, empty ones included (zero counts, null percentiles). See stats-types.ts.
   */
  attemptSeries(query: AttemptSeriesQuery): Promise<AttemptSeriesPoint[]>;
}
