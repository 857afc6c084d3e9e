import { Type, type Static } from 'typebox';
import { Nullable } from './common.ts';
import { StatsQuery } from './endpoints.ts';

/** Attempt statistics over time (the dashboard's charts). */

export const StatsBucket = Type.Union([Type.Literal('minute'), Type.Literal('hour'), Type.Literal('day')]);
export type StatsBucket = Static<typeof StatsBucket>;
export const SeriesQuery = Type.Object({ ...StatsQuery.properties, bucket: Type.Optional(StatsBucket) });
export type SeriesQuery = Static<typeof SeriesQuery>;

const Percentile = Nullable(Type.Integer());
/** Attempts made in [start, start + bucket). Percentiles are null without attempts. */
export const SeriesPointOut = Type.Object({
  start: Type.String(),
  attempts: Type.Integer(),
  succeeded: Type.Integer(),
  failed: Type.Integer(),
  p50Ms: Percentile,
  p95Ms: Percentile,
  p99Ms: Percentile,
});
export type SeriesPointOut = Static<typeof SeriesPointOut>;
export const SeriesOut = Type.Object({
  bucket: StatsBucket,
  since: Type.String(),
  until: Type.String(),
  series: Type.Array(SeriesPointOut),
});
export type SeriesOut = Static<typeof SeriesOut>;
