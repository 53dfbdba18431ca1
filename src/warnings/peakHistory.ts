/**
 * The warnings' own history: the highest value of each series per time
 * bucket, long enough for the longest rule window.
 *
 * The monitor keeps ten minutes of full-rate points for its plots; an
 * "idle for 15 minutes" or "unused for 30 minutes" rule needs longer.
 * Keeping each bucket's maximum is exact for those rules (a bucket is
 * below a threshold exactly when all its samples are) and bounds memory
 * whatever the sampling interval.
 */
import { ISeriesPoints, SampleHistory } from '../monitor/history';
import { IHistoryView } from './types';

/** Bucket size and count, from the rule windows. */
export function peakHistoryShape(
  shortestWindowMs: number,
  longestWindowMs: number,
  maxGapMs: number
): { bucketMs: number; capacity: number } {
  // About 30 buckets in the shortest window, 1 s to 30 s each.
  const bucketMs = Math.min(30_000, Math.max(1000, shortestWindowMs / 30));
  const capacity = Math.min(
    20_000,
    Math.ceil((longestWindowMs + 2 * maxGapMs) / bucketMs) + 4
  );
  return { bucketMs, capacity };
}

/** A bounded list of buckets: start time and per-series maximum. */
export class PeakHistory implements IHistoryView {
  constructor(
    readonly bucketMs: number,
    readonly capacity: number
  ) {}

  /** The number of buckets held. */
  get length(): number {
    return this._starts.length;
  }

  /**
   * Add a point: it raises the maximum of the current bucket, or opens a
   * new one. `NaN` and null leave a series' maximum as it is (a bucket
   * with no value stays `NaN`: a gap).
   */
  record(time: number, values: Record<string, number | null>): void {
    const last = this._starts.length - 1;
    if (last < 0 || time >= this._starts[last] + this.bucketMs) {
      this._starts.push(time);
      for (const series of this._series.values()) {
        series.push(NaN);
      }
      if (this._starts.length > this.capacity) {
        this._starts.shift();
        for (const series of this._series.values()) {
          series.shift();
        }
      }
    }
    const slot = this._starts.length - 1;
    for (const [key, value] of Object.entries(values)) {
      let series = this._series.get(key);
      if (!series) {
        series = new Array<number>(this._starts.length).fill(NaN);
        this._series.set(key, series);
      }
      if (value !== null && Number.isFinite(value)) {
        series[slot] = Number.isNaN(series[slot])
          ? value
          : Math.max(series[slot], value);
      }
    }
  }

  /**
   * Points of `key` at or after `since` (unix ms), oldest first; `NaN`
   * where a bucket had no value.
   */
  points(key: string, since = -Infinity): ISeriesPoints {
    const series = this._series.get(key);
    let first = 0;
    while (first < this._starts.length && this._starts[first] < since) {
      first++;
    }
    const count = this._starts.length - first;
    const times = new Float64Array(count);
    const values = new Float32Array(count).fill(NaN);
    for (let i = 0; i < count; i++) {
      times[i] = this._starts[first + i];
      if (series) {
        values[i] = series[first + i];
      }
    }
    return { times, values };
  }

  /** A copy with another shape, keeping what fits. */
  reshaped(bucketMs: number, capacity: number): PeakHistory {
    const next = new PeakHistory(bucketMs, capacity);
    for (let i = 0; i < this._starts.length; i++) {
      const values: Record<string, number | null> = {};
      for (const [key, series] of this._series) {
        values[key] = series[i];
      }
      next.record(this._starts[i], values);
    }
    return next;
  }

  private _starts: number[] = [];
  private _series = new Map<string, number[]>();
}

/**
 * The newest point of the monitor's history as series values (null for a
 * gap), or null when the history is empty. The monitor works out the
 * series of each sample once; the warnings take them from its history.
 */
export function newestPoint(
  history: SampleHistory
): { time: number; values: Record<string, number | null> } | null {
  const time = history.latestTime;
  if (time === null) {
    return null;
  }
  const values: Record<string, number | null> = {};
  for (const key of history.keys) {
    const { values: points } = history.points(key, time);
    const value = points.length ? points[points.length - 1] : NaN;
    values[key] = Number.isFinite(value) ? value : null;
  }
  return { time, values };
}
