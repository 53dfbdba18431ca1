/**
 * The time of the latest user input or kernel execution, kept across page
 * reloads. Its own file so that the countdown's facade can record activity
 * at start without loading the countdown's model.
 */

/** Where the last activity time is kept across reloads. */
export interface IActivityStore {
  /** The stored value of `key`, or null. */
  getItem(key: string): string | null;
  /** Store `value` under `key`. */
  setItem(key: string, value: string): void;
}

const ACTIVITY_KEY = 'jupyterlab-gpu-session:last-activity';

/** The latest activity, read from and written to an optional store. */
export class ActivityLog {
  /** Read the stored time; with none, activity counts from `now()`. */
  constructor(now: () => number, store: IActivityStore | null) {
    this._now = now;
    this._store = store;
    const stored = Number(store?.getItem(ACTIVITY_KEY) ?? NaN);
    this._lastActivity = Number.isFinite(stored) ? stored : now();
  }

  /** Latest user input or kernel execution, unix ms. */
  get lastActivity(): number {
    return this._lastActivity;
  }

  /**
   * Record activity now. Stored at most every few seconds, since input
   * events come in bursts.
   */
  record(): void {
    const now = this._now();
    this._lastActivity = now;
    if (now - this._storedAt > 5000) {
      this._storedAt = now;
      this._store?.setItem(ACTIVITY_KEY, String(now));
    }
  }

  private _now: () => number;
  private _store: IActivityStore | null;
  private _storedAt = 0;
  private _lastActivity: number;
}
