/**
 * The countdown behind ISessionClock, with its model fetched only when
 * there is something to count. Most sessions (a laptop, a server with no
 * culling) have no end to count down to, and the model (policy, presets,
 * clocks, their warnings) would be code loaded at start for an empty
 * status item. Until then this says what the model would say given the
 * same inputs: no clock, no warning; and it records activity, so the idle
 * clock is right when the model comes. No DOM.
 */
import { ISignal, Signal } from '@lumino/signaling';
import type { ISessionClock } from '../tokens';
import type { ICheckpointSample } from '../monitor/protocol';
import type { ICountdown } from './countdown';
import type { LimitsResult } from './limitsClient';
import type { IDetectedPlatform, IInterruption } from './policy';
import type { ClockWarning, SessionClock } from './sessionClock';
import { ActivityLog, IActivityStore } from './activityLog';
import {
  DEFAULT_COUNTDOWN_SETTINGS,
  ICountdownSettingsValues
} from './settings';

/** The chunk with the countdown's model and its warnings. */
export type ClockModule = typeof import('./clockModel');

/** The countdown with neither a hard end nor an idle cut-off. */
const NO_COUNTDOWN: ICountdown = Object.freeze({
  hard: null,
  idle: null,
  nearest: null
});

/** Options of the facade. */
export interface ILazySessionClockOptions {
  /** The clock's time source, unix ms; `Date.now` by default. */
  now?: () => number;
  /** Where the last activity is kept across reloads. */
  store?: IActivityStore | null;
  /** Fetch the model's chunk; `import('./clockModel')` by default. */
  load?: () => Promise<ClockModule>;
  /** Called with the chunk just before the model takes over. */
  onLoad?: (module: ClockModule) => void;
}

/**
 * The session countdown: SessionClock's inputs, held until one of them
 * could give a clock, then handed to the model fetched then.
 */
export class LazySessionClock implements ISessionClock {
  /** Nothing is fetched until an input could give a clock. */
  constructor(options: ILazySessionClockOptions = {}) {
    this._now = options.now ?? Date.now;
    this._activity = new ActivityLog(this._now, options.store ?? null);
    this._load = options.load ?? (() => import('./clockModel'));
    this._onLoad = options.onLoad ?? null;
  }

  /** Emitted on every change of the countdown (at least each second). */
  get changed(): ISignal<ISessionClock, void> {
    return this._changed;
  }

  /** Both clocks and which ends first; none before the model is loaded. */
  get countdown(): ICountdown {
    return this._model?.countdown ?? NO_COUNTDOWN;
  }

  /** The countdown's settings in force. */
  get settings(): Readonly<ICountdownSettingsValues> {
    return this._settings;
  }

  /** The model, once loaded; null before. */
  get model(): SessionClock | null {
    return this._model;
  }

  /**
   * The model's chunk, fetched now if it was not: for views that show the
   * policy (the sidebar section) whether or not there is a clock.
   */
  loadModel(): Promise<ClockModule> {
    if (!this._loading) {
      this._loading = this._load().then(module => {
        const model = new module.SessionClock({
          now: this._now,
          activity: this._activity
        });
        model.setSettings(this._settings);
        model.setDetected(this._detected);
        model.setInterruption(this._interruption);
        if (this._server) {
          model.setServerLimits(this._server);
        }
        model.setCheckpoint(this._checkpoint);
        model.changed.connect(() => this._changed.emit(), this);
        this._onLoad?.(module);
        this._model = model;
        this._changed.emit();
        return module;
      });
      // Tried again with the next input when the chunk could not be fetched.
      this._loading.catch(reason => {
        this._loading = null;
        console.error('jupyterlab-gpu-session: no countdown model', reason);
      });
    }
    return this._loading;
  }

  /** Apply the user's countdown settings. */
  setSettings(settings: ICountdownSettingsValues): void {
    this._settings = settings;
    if (this._model) {
      this._model.setSettings(settings);
    } else {
      this._maybeLoad();
    }
  }

  /** The platform the probe detected, or null. */
  setDetected(platform: IDetectedPlatform | null): void {
    this._detected = platform;
    if (this._model) {
      this._model.setDetected(platform);
    } else {
      this._maybeLoad();
    }
  }

  /** A spot VM's interruption notice, or null when there is none. */
  setInterruption(notice: IInterruption | null): void {
    this._interruption = notice;
    if (this._model) {
      this._model.setInterruption(notice);
    } else {
      this._maybeLoad();
    }
  }

  /** What asking the server for its limits gave. */
  setServerLimits(result: LimitsResult): void {
    this._server = result;
    if (this._model) {
      this._model.setServerLimits(result);
    } else {
      this._maybeLoad();
    }
  }

  /** The newest checkpoint the probe found, for the work-at-risk warning. */
  setCheckpoint(checkpoint: ICheckpointSample | null): void {
    this._checkpoint = checkpoint;
    this._model?.setCheckpoint(checkpoint);
  }

  /** Record user input or a kernel execution. */
  recordActivity(): void {
    this._activity.record();
  }

  /** Recompute the countdown and return the warnings due now (each once). */
  tick(): ClockWarning[] {
    if (this._model) {
      return this._model.tick();
    }
    this._changed.emit();
    return [];
  }

  /** Fetch the model when an input held now could give a clock. */
  private _maybeLoad(): void {
    if (this._mayCount()) {
      void this.loadModel().catch(() => undefined);
    }
  }

  /**
   * Whether the inputs could give resolvePolicy (policy.ts) a hard end or
   * an idle cut-off. Errs towards yes: a yes only fetches the model.
   */
  private _mayCount(): boolean {
    const settings = this._settings;
    if (this._detected || this._interruption) {
      return true;
    }
    if (!['auto', 'custom', 'none'].includes(settings.preset)) {
      return true;
    }
    if (
      (settings.lifetimeMinutes ?? 0) > 0 ||
      (settings.idleTimeoutMinutes ?? 0) > 0
    ) {
      return true;
    }
    const limits = this._server?.ok ? this._server.limits : null;
    return (
      !!limits &&
      (limits.cull_idle_timeout_s > 0 ||
        limits.shutdown_no_activity_timeout_s > 0 ||
        limits.hub !== null)
    );
  }

  private _now: () => number;
  private _activity: ActivityLog;
  private _load: () => Promise<ClockModule>;
  private _onLoad: ((module: ClockModule) => void) | null;
  private _loading: Promise<ClockModule> | null = null;
  private _model: SessionClock | null = null;
  private _settings = DEFAULT_COUNTDOWN_SETTINGS;
  private _detected: IDetectedPlatform | null = null;
  private _interruption: IInterruption | null = null;
  private _server: LimitsResult | null = null;
  private _checkpoint: ICheckpointSample | null = null;
  private _changed = new Signal<ISessionClock, void>(this);
}
