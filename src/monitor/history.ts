/**
 * A bounded history of numeric series, stored in typed arrays.
 *
 * A day of samples at the default cadence would be 43,200 entries per
 * series; the buffer keeps only the newest `capacity` points and reuses its
 * memory, so a long session does not grow the JS heap.
 */

/** Points of one series, oldest first. */
export interface ISeriesPoints {
  /** Sample times, unix milliseconds. */
  times: Float64Array;
  /** Values; `NaN` where the sample had no value. */
  values: Float32Array;
}

/** A ring buffer of timestamps with any number of named value series. */
export class SampleHistory {
  /**
   * @param capacity - the most points kept; older ones are overwritten.
   */
  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`capacity must be a positive integer: ${capacity}`);
    }
    this._times = new Float64Array(capacity);
  }

  /** The number of points held (at most `capacity`). */
  get length(): number {
    return this._length;
  }

  /** The names of the series seen so far, in first-seen order. */
  get keys(): string[] {
    return [...this._series.keys()];
  }

  /** Time of the newest point, or null when empty. */
  get latestTime(): number | null {
    if (this._length === 0) {
      return null;
    }
    return this._times[(this._next - 1 + this.capacity) % this.capacity];
  }

  /**
   * Append one point. Series missing from `values` get `NaN` at this point,
   * so a GPU that vanishes leaves a gap rather than a stale line.
   *
   * #### Notes
   * A point older than the newest one (the client clock jumped back) is
   * still appended; readers get points in insertion order.
   */
  push(time: number, values: Record<string, number | null>): void {
    const slot = this._next;
    this._times[slot] = time;
    for (const [key, series] of this._series) {
      const value = values[key];
      series[slot] = value === null || value === undefined ? NaN : value;
    }
    for (const key of Object.keys(values)) {
      if (!this._series.has(key)) {
        const series = new Float32Array(this.capacity).fill(NaN);
        const value = values[key];
        series[slot] = value === null ? NaN : value;
        this._series.set(key, series);
      }
    }
    this._next = (slot + 1) % this.capacity;
    this._length = Math.min(this._length + 1, this.capacity);
  }

  /** Points of `key` at or after `since` (unix ms), oldest first. */
  points(key: string, since = -Infinity): ISeriesPoints {
    const series = this._series.get(key);
    const start = (this._next - this._length + this.capacity) % this.capacity;
    let first = 0;
    while (
      first < this._length &&
      this._times[(start + first) % this.capacity] < since
    ) {
      first++;
    }
    const count = this._length - first;
    const times = new Float64Array(count);
    const values = new Float32Array(count).fill(NaN);
    for (let i = 0; i < count; i++) {
      const slot = (start + first + i) % this.capacity;
      times[i] = this._times[slot];
      if (series) {
        values[i] = series[slot];
      }
    }
    return { times, values };
  }

  /** Forget every point and series. */
  clear(): void {
    this._series.clear();
    this._next = 0;
    this._length = 0;
  }

  private _times: Float64Array;
  private _series = new Map<string, Float32Array>();
  private _next = 0;
  private _length = 0;
}
