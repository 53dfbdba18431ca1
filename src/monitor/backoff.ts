/**
 * Failed starts back off, so a server that cannot start kernels is not
 * asked again every interval.
 */
import { ProbeOutcome } from './outcome';

/** Doubling waits after failures, up to a maximum. */
export class StartBackoff {
  /**
   * @param _now - the clock, unix ms.
   * @param _firstMs - the wait after the first failure.
   * @param _maxMs - the longest wait.
   */
  constructor(
    private readonly _now: () => number,
    private readonly _firstMs: number,
    private readonly _maxMs: number
  ) {}

  /**
   * While the wait after the last failure runs: the outcome to answer with
   * (its error and when the next try comes); null when a start may be tried.
   */
  waiting(): ProbeOutcome | null {
    const wait = this._nextAt - this._now();
    if (this._failures > 0 && wait > 0) {
      return {
        kind: 'unavailable',
        error: `${this._lastError} Trying again in ${Math.ceil(wait / 1000)} s.`
      };
    }
    return null;
  }

  /** Note a failed start and why. */
  failed(error: string): void {
    this._failures++;
    this._lastError = error;
    this._nextAt =
      this._now() +
      Math.min(this._firstMs * 2 ** (this._failures - 1), this._maxMs);
  }

  /** Note a start that worked. */
  succeeded(): void {
    this._failures = 0;
  }

  private _failures = 0;
  private _nextAt = 0;
  private _lastError = '';
}
