/**
 * The one source of "the person is here" for the whole extension: input on
 * the page (keys, clicks, scrolling, the mouse) and cell executions.
 *
 * The monitor's idle pause and the countdown's idle clock both follow it,
 * so they can never disagree on what counts as activity.
 */
import { NotebookActions } from '@jupyterlab/notebook';
import { ISignal, Signal } from '@lumino/signaling';

/** The input events that count as activity. */
export const ACTIVITY_EVENTS = [
  'keydown',
  'pointerdown',
  'wheel',
  'mousemove'
] as const;

/**
 * Emits `active` at most once per `throttleMs` while there is input or an
 * execution; listening is passive and costs a timestamp per event.
 */
export class UserActivity {
  constructor(options: UserActivity.IOptions = {}) {
    this._now = options.now ?? Date.now;
    this._throttleMs = options.throttleMs ?? 1000;
    this._target = options.target ?? window;
    for (const type of ACTIVITY_EVENTS) {
      this._target.addEventListener(type, this._onEvent, {
        capture: true,
        passive: true
      });
    }
    NotebookActions.executionScheduled.connect(this._onExecution, this);
  }

  /** Emitted with the time of the activity (unix ms). */
  get active(): ISignal<this, number> {
    return this._active;
  }

  /** When the last activity was seen (unix ms), or null. */
  get last(): number | null {
    return this._last;
  }

  /** Stop listening. */
  dispose(): void {
    for (const type of ACTIVITY_EVENTS) {
      this._target.removeEventListener(type, this._onEvent, {
        capture: true
      });
    }
    NotebookActions.executionScheduled.disconnect(this._onExecution, this);
    Signal.clearData(this);
  }

  /** Record activity now (an execution, or input seen elsewhere). */
  note(force = false): void {
    const now = this._now();
    if (!force && this._last !== null && now - this._last < this._throttleMs) {
      return;
    }
    this._last = now;
    this._active.emit(now);
  }

  private _onEvent = (): void => this.note();

  private _onExecution(): void {
    // An execution always counts at once: it restarts the server's idle
    // timer too, and the countdown must follow it exactly.
    this.note(true);
  }

  private _now: () => number;
  private _throttleMs: number;
  private _target: EventTarget;
  private _last: number | null = null;
  private _active = new Signal<this, number>(this);
}

/** The options of the activity source. */
export namespace UserActivity {
  /** Options of the activity source. */
  export interface IOptions {
    /** The clock, unix ms. */
    now?: () => number;
    /** The shortest time between two `active` signals for input. */
    throttleMs?: number;
    /** Where input is listened for; `window` by default. */
    target?: EventTarget;
  }
}

let shared: UserActivity | null = null;

/** The page's one activity source, created on first use. */
export function userActivity(): UserActivity {
  if (!shared) {
    shared = new UserActivity();
  }
  return shared;
}
