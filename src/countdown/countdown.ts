/**
 * The countdown: time left before the hard end and before the idle
 * cut-off. Pure functions of a policy, the last activity and the clock:
 * deadlines, not ticking counters, so they stay right through disconnects,
 * sleep and page reloads.
 */
import { IPolicy, LimitSource } from './policy';

/** One clock of the countdown. */
export interface IClock {
  kind: 'hard' | 'idle';
  /** When it ends, unix ms. */
  endsAt: number;
  /** Time left, ms; 0 once it has passed. */
  remainingMs: number;
  /** Share of the span used, 0..1; null when the span is unknown. */
  fractionUsed: number | null;
  ended: boolean;
  source: LimitSource;
  detail: string;
}

/** Both clocks and which ends first. */
export interface ICountdown {
  hard: IClock | null;
  idle: IClock | null;
  /** The clock that ends first, if any. */
  nearest: IClock | null;
}

/**
 * Compute the countdown at `now` (unix ms). `lastActivity` is the latest
 * user input or kernel execution the policy counts, unix ms.
 */
export function computeCountdown(
  policy: IPolicy,
  lastActivity: number | null,
  now: number
): ICountdown {
  let hard: IClock | null = null;
  if (policy.hardEnd) {
    const span = policy.lifetimeMs?.value ?? null;
    hard = clock(
      'hard',
      policy.hardEnd.value,
      span,
      now,
      policy.hardEnd.source,
      policy.hardEnd.detail
    );
  }
  let idle: IClock | null = null;
  if (policy.idleTimeoutMs) {
    // Activity "in the future" (a clock that jumped back) counts as now.
    const since = Math.min(lastActivity ?? now, now);
    idle = clock(
      'idle',
      since + policy.idleTimeoutMs.value,
      policy.idleTimeoutMs.value,
      now,
      policy.idleTimeoutMs.source,
      policy.idleTimeoutMs.detail
    );
  }
  const nearest =
    hard && idle ? (idle.endsAt < hard.endsAt ? idle : hard) : (hard ?? idle);
  return { hard, idle, nearest };
}

function clock(
  kind: 'hard' | 'idle',
  endsAt: number,
  spanMs: number | null,
  now: number,
  source: LimitSource,
  detail: string
): IClock {
  const remainingMs = Math.max(0, endsAt - now);
  const fractionUsed =
    spanMs && spanMs > 0
      ? Math.min(1, Math.max(0, 1 - remainingMs / spanMs))
      : null;
  return {
    kind,
    endsAt,
    remainingMs,
    fractionUsed,
    ended: remainingMs === 0,
    source,
    detail
  };
}

/**
 * Decides when a threshold warning fires: once per clock, deadline and
 * threshold, so a page that re-renders every second warns once.
 *
 * #### Notes
 * A warning is keyed by the clock's end time: when the idle clock is reset
 * by activity its end moves and its warnings can fire again later.
 */
export class ThresholdTracker {
  /**
   * @param thresholdsMin - minutes before the end at which to warn.
   */
  constructor(thresholdsMin: number[]) {
    this.setThresholds(thresholdsMin);
  }

  /** Change the thresholds (minutes before the end). */
  setThresholds(thresholdsMin: number[]): void {
    this._thresholdsMs = [...new Set(thresholdsMin)]
      .filter(m => Number.isFinite(m) && m > 0)
      .sort((a, b) => a - b)
      .map(m => m * 60_000);
  }

  /**
   * The threshold (minutes) that `clock` crossed and has not been warned
   * about yet, or null. Only the smallest crossed threshold is reported:
   * opening the page 3 minutes before the end warns once, not three times.
   */
  check(clock: IClock): number | null {
    const crossed = this._thresholdsMs.find(t => clock.remainingMs <= t);
    if (crossed === undefined || clock.ended) {
      return null;
    }
    const key = `${clock.kind}:${Math.round(clock.endsAt / 1000)}`;
    const fired = this._fired.get(key) ?? Infinity;
    if (crossed >= fired) {
      return null;
    }
    this._fired.set(key, crossed);
    return crossed / 60_000;
  }

  /** Forget every warning already given (for tests and settings changes). */
  reset(): void {
    this._fired.clear();
  }

  private _thresholdsMs: number[] = [];
  private _fired = new Map<string, number>();
}
