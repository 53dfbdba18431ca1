/**
 * The session clock: holds what the countdown is computed from (settings,
 * detected platform, server limits, last activity) and recomputes it on
 * each tick. No DOM; views and notifications subscribe to `changed`.
 */
import { ISignal, Signal } from '@lumino/signaling';
import {
  computeCountdown,
  ICountdown,
  IClock,
  ThresholdTracker
} from './countdown';
import {
  IDetectedPlatform,
  IInterruption,
  IPolicy,
  resolvePolicy
} from './policy';
import { ICheckpointSample } from '../monitor/protocol';
import { LimitsResult } from './limitsClient';
import { ActivityLog, IActivityStore } from './activityLog';
import {
  DEFAULT_COUNTDOWN_SETTINGS,
  ICountdownSettingsValues
} from './settings';

/** A warning to show now. */
export type ClockWarning =
  | { kind: 'threshold'; clock: IClock; minutes: number }
  | {
      kind: 'work-at-risk';
      clock: IClock;
      /** Age of the newest checkpoint, ms; null when there is none. */
      checkpointAgeMs: number | null;
    };

export type { IActivityStore } from './activityLog';

/** Options of the clock. */
export interface ISessionClockOptions {
  /** The clock's time source, unix ms; `Date.now` by default. */
  now?: () => number;
  /** Where the last activity is kept, when no `activity` is given. */
  store?: IActivityStore | null;
  /**
   * The activity record to share (the countdown's facade records activity
   * before this model is loaded); made from `store` when not given.
   */
  activity?: ActivityLog;
}

/** The countdown's model. */
export class SessionClock {
  constructor(options: ISessionClockOptions = {}) {
    this._now = options.now ?? Date.now;
    this._activity =
      options.activity ?? new ActivityLog(this._now, options.store ?? null);
    this._update();
  }

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  get settings(): ICountdownSettingsValues {
    return this._settings;
  }

  get policy(): IPolicy {
    return this._policy;
  }

  get countdown(): ICountdown {
    return this._countdown;
  }

  get detected(): IDetectedPlatform | null {
    return this._detected;
  }

  /** Why the server's limits are unknown, or null when they are known. */
  get serverUnknownReason(): string | null {
    return this._server && !this._server.ok
      ? this._server.reason
      : this._server
        ? null
        : 'not asked yet';
  }

  /**
   * Whether the server said its kernels run behind a gateway: its limits
   * are then this server's, not those of the kernels' machine.
   */
  get kernelsBehindGateway(): boolean {
    return (
      !!this._server?.ok && this._server.limits.kernels_remote?.gateway === true
    );
  }

  get checkpoint(): ICheckpointSample | null {
    return this._checkpoint;
  }

  /** Latest user input or kernel execution, unix ms. */
  get lastActivity(): number {
    return this._activity.lastActivity;
  }

  setSettings(settings: ICountdownSettingsValues): void {
    this._settings = settings;
    this._tracker.setThresholds(settings.warningMinutes);
    this._update();
  }

  setDetected(platform: IDetectedPlatform | null): void {
    if (JSON.stringify(platform) !== JSON.stringify(this._detected)) {
      this._detected = platform;
      this._update();
    }
  }

  /** A spot VM's interruption notice, or null when there is none. */
  setInterruption(notice: IInterruption | null): void {
    if (JSON.stringify(notice) !== JSON.stringify(this._interruption)) {
      this._interruption = notice;
      this._update();
    }
  }

  /** The interruption notice in force, if any. */
  get interruption(): IInterruption | null {
    return this._interruption;
  }

  setServerLimits(result: LimitsResult): void {
    this._server = result;
    this._update();
  }

  setCheckpoint(checkpoint: ICheckpointSample | null): void {
    this._checkpoint = checkpoint;
  }

  /**
   * Record user input or a kernel execution. Stored at most every few
   * seconds, since input events come in bursts.
   */
  recordActivity(): void {
    this._activity.record();
  }

  /**
   * Recompute the countdown and return the warnings due now (each once).
   */
  tick(): ClockWarning[] {
    this._update();
    const warnings: ClockWarning[] = [];
    for (const clock of [this._countdown.hard, this._countdown.idle]) {
      if (!clock) {
        continue;
      }
      const minutes = this._tracker.check(clock);
      if (minutes !== null) {
        warnings.push({ kind: 'threshold', clock, minutes });
      }
    }
    const risk = this._workAtRisk();
    if (risk) {
      warnings.push(risk);
    }
    return warnings;
  }

  dispose(): void {
    Signal.clearData(this);
  }

  /** Warn once per deadline when the end comes before the next save would. */
  private _workAtRisk(): ClockWarning | null {
    const clock = this._countdown.hard;
    if (!clock || clock.ended || this._settings.checkpointGlobs.length === 0) {
      return null;
    }
    const horizon = Math.max(...this._settings.warningMinutes, 0) * 60_000;
    if (clock.remainingMs > horizon) {
      return null;
    }
    const mtime = this._checkpoint?.newest_mtime ?? null;
    const age = mtime === null ? null : Math.max(0, this._now() - mtime * 1000);
    if (age !== null && age <= clock.remainingMs) {
      return null;
    }
    const key = Math.round(clock.endsAt / 1000);
    if (this._riskWarnedFor === key) {
      return null;
    }
    this._riskWarnedFor = key;
    return { kind: 'work-at-risk', clock, checkpointAgeMs: age };
  }

  private _update(): void {
    const server = this._server?.ok ? this._server.limits : null;
    this._policy = resolvePolicy(
      this._settings,
      this._detected,
      server,
      this._interruption
    );
    this._countdown = computeCountdown(
      this._policy,
      this._activity.lastActivity,
      this._now()
    );
    this._changed.emit();
  }

  private _now: () => number;
  private _activity: ActivityLog;
  private _settings = DEFAULT_COUNTDOWN_SETTINGS;
  private _detected: IDetectedPlatform | null = null;
  private _interruption: IInterruption | null = null;
  private _server: LimitsResult | null = null;
  private _checkpoint: ICheckpointSample | null = null;
  private _tracker = new ThresholdTracker(
    DEFAULT_COUNTDOWN_SETTINGS.warningMinutes
  );
  private _riskWarnedFor: number | null = null;
  private _policy!: IPolicy;
  private _countdown!: ICountdown;
  private _changed = new Signal<this, void>(this);
}
