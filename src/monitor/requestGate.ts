/**
 * One probe request at a time, with a timeout, and late replies dropped.
 *
 * #### Notes
 * Shared by every transport: a kernel (or subshell) that is slow must never
 * get a second request queued behind the first, a reply that arrives after
 * a newer request was sent is stale, and a request to a target that has
 * since gone away (killed, restarted, its connection lost) will never be
 * answered, so it must not keep the slot forever.
 */
import { ProbeOutcome } from './outcome';
import { withTimeout } from './serverKernels';

/** How a gate learns about the target of a request. */
export interface IGateTarget<T> {
  /** Whether a request sent to `target` can no longer be answered. */
  orphaned(target: T | null): boolean;
  /** What to say when no answer came in time (asks the server, say). */
  noAnswer(target: T | null): Promise<ProbeOutcome>;
  /**
   * Whether a request still unanswered past its timeout was lost on the
   * way, though its target is there (a kernel that idles has nothing of
   * ours to work on): then it is given up and the next one is sent.
   * Without this, an overdue request holds the slot until it is answered.
   */
  lost?(target: T | null): boolean;
}

/** Serialises requests to one target; see the module notes. */
export class RequestGate<T> {
  /**
   * @param _target - what the gate asks about the request's target.
   * @param _now - the clock, unix ms.
   */
  constructor(
    private readonly _target: IGateTarget<T>,
    private readonly _now: () => number = Date.now
  ) {}

  /** The target of the request in flight, if one is. */
  get inFlightTarget(): T | null {
    return this._inFlight ? this._inFlightTarget : null;
  }

  /** Whether a request is in flight. */
  get busy(): boolean {
    return this._inFlight !== null;
  }

  /**
   * Run `work` for `target` unless a request is still in flight (then
   * `busy`, or the no-answer outcome once it is overdue). Resolves with the
   * work's outcome, or the no-answer outcome when it does not come within
   * `timeoutMs` or a newer request was sent meanwhile.
   */
  async send(
    target: T | null,
    work: () => Promise<ProbeOutcome>,
    timeoutMs: number
  ): Promise<ProbeOutcome> {
    if (this._inFlight) {
      const sent = this._inFlightTarget;
      const waited = this._now() - this._inFlightSince;
      // Lost is judged by the timeout the request was sent with; what to
      // answer meanwhile, by this request's.
      const lost =
        waited > this._inFlightTimeoutMs &&
        (this._target.lost?.(sent) ?? false);
      const overdue = waited > timeoutMs;
      if (!this._target.orphaned(sent) && !lost) {
        // Still waiting past the timeout: say again whether it is the
        // server that is gone, so "disconnected" holds until it is back.
        return overdue ? this._target.noAnswer(sent) : { kind: 'busy' };
      }
      this._inFlight = null;
    }
    const tag = ++this._sequence;
    const running = work();
    this._inFlight = running;
    this._inFlightTarget = target;
    this._inFlightSince = this._now();
    this._inFlightTimeoutMs = timeoutMs;
    // The slot frees only when the target really answers.
    void running.finally(() => {
      if (this._inFlight === running) {
        this._inFlight = null;
      }
    });
    const outcome = await withTimeout(running, timeoutMs);
    if (outcome === null || tag !== this._sequence) {
      return this._target.noAnswer(target);
    }
    return outcome;
  }

  /**
   * Free the slot: the next request is sent at once, and the reply of the
   * one in flight, if it still comes, is dropped as late.
   */
  clear(): void {
    this._inFlight = null;
  }

  private _inFlight: Promise<ProbeOutcome> | null = null;
  private _inFlightTarget: T | null = null;
  private _inFlightSince = 0;
  private _inFlightTimeoutMs = 0;
  private _sequence = 0;
}
