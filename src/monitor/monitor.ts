/**
 * The resource monitor: owns the poll, the latest sample and the history.
 *
 * A plain class without DOM: views subscribe to `changed` and render from
 * its getters, so nothing is lost when a view is closed and re-opened.
 */
import { IDisposable } from '@lumino/disposable';
import { Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';
import {
  INotebookContext,
  needsFreshSample,
  NO_NOTEBOOK,
  probeRequest,
  sameContext
} from './context';
import { ICheckpointRequest, IProbeSample } from './protocol';
import { CheckpointRequestSlot } from './checkpointSlot';
import { historyValues, HISTORY_WINDOW_MS } from './series';
import {
  documentHidden,
  IResourceMonitorOptions,
  isQuiet,
  standbyDecision
} from './idle';
import { IProbeTransport, TransportKind } from './outcome';
import { MonitorPhase, MonitorState } from './monitorState';
import { ISectionError } from './sectionErrors';
import { SampleHistory } from './history';
import { DEFAULT_MONITOR_SETTINGS, IMonitorSettings } from './settings';
import type { IResourceMonitor } from '../tokens';

export { INotebookContext } from './context';
export { HISTORY_WINDOW_MS, SeriesKeys } from './series';
export { MonitorPhase } from './monitorState';
export { IResourceMonitorOptions } from './idle';

/** Polls the probe and keeps what it says. */
export class ResourceMonitor implements IResourceMonitor, IDisposable {
  constructor(options: IResourceMonitorOptions) {
    this._transport = options.transport;
    this._settings = { ...DEFAULT_MONITOR_SETTINGS, ...options.settings };
    this._now = options.now ?? Date.now;
    this._isHidden = options.isHidden ?? documentHidden;
    this._lastInput = this._now();
    this.history = new SampleHistory(Math.ceil(HISTORY_WINDOW_MS / 500) + 1);
    this._poll = new Poll({
      auto: false,
      factory: () => this._tick(),
      frequency: {
        interval: this._settings.intervalMs,
        backoff: false,
        max: this._settings.intervalMs
      },
      name: 'jupyterlab-gpu-session:monitor',
      // JupyterLab's own polls stand by in hidden tabs; a monitor must not
      // be what keeps an idle session alive (see `_standby`).
      standby: () => this._standby()
    });
  }

  /** Points of the last `HISTORY_WINDOW_MS` (and a little more). */
  readonly history: SampleHistory;

  /** Emitted after any change a view would show. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  get phase(): MonitorPhase {
    return this._s.phase;
  }

  /** Why the monitor is `unavailable`, or what it is waiting for. */
  get message(): string | null {
    return this._s.message;
  }

  /** The latest valid sample. */
  get sample(): IProbeSample | null {
    return this._s.sample;
  }

  /** When the latest valid sample arrived (client clock, unix ms). */
  get sampleTime(): number | null {
    return this._s.sampleTime;
  }

  /** Why the latest reply was rejected, when it was. */
  get probeError(): string | null {
    return this._s.probeError;
  }

  /**
   * The sections the probe could not read in the latest sample, each with
   * the probe's own words; empty when every section was read.
   */
  get sectionErrors(): ReadonlyArray<ISectionError> {
    return this._s.sectionErrors;
  }

  /**
   * Where the latest sample was read: in the notebook's own kernel through
   * a subshell, or in a separate monitor kernel; null before the first.
   */
  get transportKind(): TransportKind | null {
    return this._s.transportKind;
  }

  /** True when the latest tick brought no valid sample. */
  get stale(): boolean {
    return this._s.stale;
  }

  get settings(): IMonitorSettings {
    return this._settings;
  }

  get context(): INotebookContext {
    return this._context;
  }

  /** When the server stopped answering (client clock, unix ms), if it has. */
  get disconnectedSince(): number | null {
    return this._s.disconnectedSince;
  }

  /**
   * Something that happened to the monitor kernel (replaced, restarted),
   * shown for a few samples after it happened.
   */
  get notice(): string | null {
    return this._s.notice;
  }

  /** Whether monitoring is paused for lack of activity. */
  get paused(): boolean {
    return this._paused;
  }

  /**
   * Note user input (a key, a click). It keeps monitoring going and resumes
   * it when it was paused.
   */
  noteActivity(): void {
    // Back from the quiet cadence: fresh numbers now, not in up to 10 s.
    const quiet = isQuiet(this._now(), this._lastInput, this._settings);
    this._lastInput = this._now();
    if (this._paused) {
      this._resume();
    } else if (quiet && this._running) {
      void this.requestSample();
    }
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** The number of samples received, for tests and diagnostics. */
  get sampleCount(): number {
    return this._s.sampleCount;
  }

  /** Update what the page knows about its notebooks. */
  setContext(context: INotebookContext): void {
    if (sameContext(context, this._context)) {
      return;
    }
    const before = this._context;
    if (before.anyKernelBusy && !context.anyKernelBusy) {
      this._lastBusy = this._now();
    }
    this._context = { ...context, kernelIds: [...context.kernelIds] };
    this._changed.emit();
    if (context.anyKernelBusy && this._paused) {
      // A busy kernel is not idleness: watch it.
      this._resume();
      return;
    }
    if (
      needsFreshSample(before, context) &&
      this._poll.state.phase !== 'standby' &&
      this._running &&
      !this._paused
    ) {
      void this._poll.refresh();
    }
  }

  /** Apply new settings; the poll picks up a new interval at once. */
  configure(settings: IMonitorSettings): void {
    this._settings = { ...DEFAULT_MONITOR_SETTINGS, ...settings };
    this._poll.frequency = {
      interval: settings.intervalMs,
      backoff: false,
      max: settings.intervalMs
    };
    this._changed.emit();
  }

  /** The checkpoint globs whose newest file and loops the probe reports. */
  setCheckpointGlobs(globs: string[]): void {
    this._checkpointGlobs = [...globs];
  }

  /** Start polling (idempotent). */
  start(): void {
    if (!this._running && !this._isDisposed) {
      this._running = true;
      this._lastInput = Math.max(this._lastInput, this._now());
      if (this._s.phase === 'idle') {
        this._s.phase = 'starting';
        this._s.message = null;
        this._changed.emit();
      }
      void this._poll.start();
    }
  }

  /** Stop polling and shut the monitor kernel down (idempotent). */
  async stop(): Promise<void> {
    if (!this._running) {
      return;
    }
    this._running = false;
    this._paused = false;
    void this._poll.stop();
    this._s.phase = 'idle';
    this._changed.emit();
    await this._transport.stop();
  }

  /**
   * Say whether `reason` (an open notebook, a visible sidebar) needs data.
   * The monitor runs while any reason does and stops, shutting its kernel
   * down, when none is left.
   */
  setDemand(reason: string, needed: boolean): void {
    if (needed) {
      this._demand.add(reason);
      this.start();
    } else if (this._demand.delete(reason) && this._demand.size === 0) {
      void this.stop();
    }
  }

  /**
   * Take a sample now through the poll (`gpu-session:refresh`); resolves
   * once it is recorded, never rejects. A no-op while stopped or paused (a
   * refresh must not start a kernel nothing shuts down); a running tick is
   * awaited rather than sending a second request.
   */
  async requestSample(): Promise<void> {
    if (this._isDisposed || !this._running || this._paused) {
      return;
    }
    if (this._ticking) {
      await this._ticking;
      return;
    }
    await this._poll.refresh();
    await this._poll.tick;
  }

  /**
   * Send a checkpoint request with the next sample call, now; that sample's
   * `checkpoint_request_result` says whether each request file was written.
   */
  requestCheckpoint(request: ICheckpointRequest): Promise<void> {
    this._checkpointSlot.set(request);
    return this.requestSample();
  }

  /** One poll tick: ask the transport once and record what it said. */
  private _tick(): Promise<void> {
    const ticking = this._sampleOnce().finally(() => {
      if (this._ticking === ticking) {
        this._ticking = null;
      }
    });
    this._ticking = ticking;
    return ticking;
  }

  private async _sampleOnce(): Promise<void> {
    if (this._isDisposed || this._paused) {
      return;
    }
    this._lastRequestAt = this._now();
    const outcome = await this._transport.request(
      {
        ...probeRequest(this._context, this._settings, this._checkpointGlobs),
        ...this._checkpointSlot.args
      },
      this._settings.timeoutMs
    );
    if (this._isDisposed || this._paused) {
      return;
    }
    if (outcome.kind === 'sample') {
      this._record(outcome.sample);
      this._checkpointSlot.settle(outcome.sample);
    }
    if (
      this._s.apply(
        outcome,
        this._now(),
        this._settings.timeoutMs,
        this._transport.kind ?? null
      )
    ) {
      this._changed.emit();
    }
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._running = false;
    this._poll.dispose();
    this._transport.dispose();
    Signal.clearData(this);
  }

  /** Whether the poll skips this tick (idle.ts's `standbyDecision`). */
  private _standby(): boolean {
    if (!this._running || this._paused) {
      return true;
    }
    const decision = standbyDecision({
      now: this._now(),
      busy: !!this._context.anyKernelBusy,
      hidden: this._isHidden(),
      lastInput: this._lastInput,
      lastBusy: this._lastBusy,
      lastRequestAt: this._lastRequestAt,
      settings: this._settings
    });
    if (decision === 'pause') {
      // The poll is in the middle of its tick: stop it right after.
      void Promise.resolve().then(() => this._pause());
    }
    return decision !== 'sample';
  }

  private _pause(): void {
    if (this._paused || !this._running || this._isDisposed) {
      return;
    }
    this._paused = true;
    this._s.phase = 'paused';
    this._s.message = null;
    void this._poll.stop();
    this._changed.emit();
    // An execute on the monitor kernel counts as activity for culling and
    // for the server's last_activity: no kernel, no activity.
    void this._transport.stop();
  }

  private _resume(): void {
    if (!this._paused || this._isDisposed) {
      return;
    }
    this._paused = false;
    this._lastInput = this._now();
    this._s.phase = this._s.sample ? 'running' : 'starting';
    this._s.stale = this._s.sample !== null;
    this._s.message = null;
    this._changed.emit();
    void this._poll.start();
  }

  private _record(sample: IProbeSample): void {
    const now = this._now();
    this._s.record(sample, now);
    this.history.push(now, historyValues(sample));
  }

  private _transport: IProbeTransport;
  private _settings: IMonitorSettings;
  private _now: () => number;
  private _isHidden: () => boolean;
  private _lastInput: number;
  private _lastBusy = 0;
  private _lastRequestAt = 0;
  private _paused = false;
  private _poll: Poll;
  private _changed = new Signal<this, void>(this);
  private _ticking: Promise<void> | null = null;
  private _s = new MonitorState();
  private _context: INotebookContext = NO_NOTEBOOK;
  private _running = false;
  private _demand = new Set<string>();
  private _checkpointGlobs: string[] = [];
  private _isDisposed = false;
  private _checkpointSlot = new CheckpointRequestSlot();
}
