/**
 * The resource monitor: owns the poll, the latest sample and the history.
 *
 * A plain class without DOM: views subscribe to `changed` and render from
 * its getters, so nothing is lost when a view is closed and re-opened.
 */
import { IDisposable } from '@lumino/disposable';
import { Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';
import { IProbeSample } from './protocol';
import { IProbeTransport } from './transport';
import { SampleHistory } from './history';
import { DEFAULT_MONITOR_SETTINGS, IMonitorSettings } from './settings';

/** How long the history plots look back. */
export const HISTORY_WINDOW_MS = 10 * 60 * 1000;

/** Where the monitor is in its life. */
export type MonitorPhase =
  /** Not started: nothing needs monitoring yet. */
  | 'idle'
  /** Waiting for the first sample (the monitor kernel is starting). */
  | 'starting'
  /** Samples arrive (the latest one may be stale; see `stale`). */
  | 'running'
  /** The monitor kernel cannot run; `message` says why. */
  | 'unavailable'
  /**
   * Paused after a while with no user input and no busy kernel; the
   * monitor kernel is shut down. Any input resumes it.
   */
  | 'paused'
  /** The server cannot be reached; see `disconnectedSince`. */
  | 'disconnected';

/** Kernel states in which a kernel's numbers cannot be read. */
const KERNEL_AWAY = new Set([
  'restarting',
  'autorestarting',
  'starting',
  'dead',
  'terminating',
  'unknown'
]);

/** What the page knows about its notebooks, set by the plugin. */
export interface INotebookContext {
  /** Whether any notebook is open. */
  notebookOpen: boolean;
  /** The active notebook's kernel id, when it has a kernel. */
  activeKernelId: string | null;
  /** The active notebook's path, for labels. */
  activeNotebookPath: string | null;
  /** The kernel ids of all open notebooks; the probe reports each. */
  kernelIds: string[];
  /** The active notebook kernel's status (`idle`, `busy`, `restarting`...). */
  activeKernelStatus?: string | null;
  /** Whether a kernel of this page is running code. */
  anyKernelBusy?: boolean;
}

const NO_NOTEBOOK: INotebookContext = {
  notebookOpen: false,
  activeKernelId: null,
  activeNotebookPath: null,
  kernelIds: []
};

/** Options to create a monitor. */
export interface IResourceMonitorOptions {
  transport: IProbeTransport;
  settings?: IMonitorSettings;
  /** The clock, unix ms; injected for tests. */
  now?: () => number;
  /** Whether the page is hidden; `document.hidden` by default. */
  isHidden?: () => boolean;
}

/** Polls the probe and keeps what it says. */
export class ResourceMonitor implements IDisposable {
  constructor(options: IResourceMonitorOptions) {
    this._transport = options.transport;
    this._settings = { ...DEFAULT_MONITOR_SETTINGS, ...options.settings };
    this._now = options.now ?? Date.now;
    this._isHidden = options.isHidden ?? Private.documentHidden;
    this._lastInput = this._now();
    this.history = new SampleHistory(Math.ceil(HISTORY_WINDOW_MS / 500) + 1);
    this._poll = new Poll({
      auto: false,
      factory: () => this.refresh(),
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
    return this._phase;
  }

  /** Why the monitor is `unavailable`, or what it is waiting for. */
  get message(): string | null {
    return this._message;
  }

  /** The latest valid sample. */
  get sample(): IProbeSample | null {
    return this._sample;
  }

  /** When the latest valid sample arrived (client clock, unix ms). */
  get sampleTime(): number | null {
    return this._sampleTime;
  }

  /** Why the latest reply was rejected, when it was. */
  get probeError(): string | null {
    return this._probeError;
  }

  /** True when the latest tick brought no valid sample. */
  get stale(): boolean {
    return this._stale;
  }

  get settings(): IMonitorSettings {
    return this._settings;
  }

  get context(): INotebookContext {
    return this._context;
  }

  /** When the server stopped answering (client clock, unix ms), if it has. */
  get disconnectedSince(): number | null {
    return this._disconnectedSince;
  }

  /**
   * Something that happened to the monitor kernel (replaced, restarted),
   * shown for a few samples after it happened.
   */
  get notice(): string | null {
    return this._notice;
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
    this._lastInput = this._now();
    if (this._paused) {
      this._resume();
    }
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** The number of samples received, for tests and diagnostics. */
  get sampleCount(): number {
    return this._sampleCount;
  }

  /** Update what the page knows about its notebooks. */
  setContext(context: INotebookContext): void {
    if (Private.sameContext(context, this._context)) {
      return;
    }
    const before = this._context;
    const kernelChanged = context.activeKernelId !== before.activeKernelId;
    // A kernel that comes back from a restart should show its new numbers
    // at once, not one interval later.
    const kernelBack =
      KERNEL_AWAY.has(before.activeKernelStatus ?? '') &&
      !KERNEL_AWAY.has(context.activeKernelStatus ?? '');
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
      (kernelChanged || kernelBack) &&
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

  /**
   * The checkpoint paths or globs whose newest file the probe reports
   * (set by the countdown feature from its settings).
   */
  setCheckpointGlobs(globs: string[]): void {
    this._checkpointGlobs = [...globs];
  }

  /** Start polling (idempotent). */
  start(): void {
    if (this._running || this._isDisposed) {
      return;
    }
    this._running = true;
    this._lastInput = Math.max(this._lastInput, this._now());
    if (this._phase === 'idle') {
      this._phase = 'starting';
      this._message = null;
      this._changed.emit();
    }
    void this._poll.start();
  }

  /** Stop polling and shut the monitor kernel down (idempotent). */
  async stop(): Promise<void> {
    if (!this._running) {
      return;
    }
    this._running = false;
    this._paused = false;
    void this._poll.stop();
    this._phase = 'idle';
    this._changed.emit();
    await this._transport.stop();
  }

  /** Whether the poll runs. */
  get running(): boolean {
    return this._running;
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
   * Take one sample now. Resolves when the sample (or the reason there is
   * none) has been recorded; never rejects.
   */
  async refresh(): Promise<void> {
    if (this._isDisposed || this._paused) {
      return;
    }
    this._lastRequestAt = this._now();
    const outcome = await this._transport.request(
      {
        kernel_ids: this._context.kernelIds,
        disks: this._settings.diskPaths.length
          ? this._settings.diskPaths
          : null,
        gpu_source: this._settings.gpuSource,
        nvidia_smi: this._settings.nvidiaSmiPath,
        checkpoint_globs: this._checkpointGlobs.length
          ? this._checkpointGlobs
          : null
      },
      this._settings.timeoutMs
    );
    if (this._isDisposed || this._paused) {
      return;
    }
    if (outcome.kind !== 'disconnected') {
      this._disconnectedSince = null;
    }
    switch (outcome.kind) {
      case 'sample':
        this._record(outcome.sample);
        if (outcome.notice) {
          this._notice = outcome.notice;
          this._noticeSamples = Private.NOTICE_SAMPLES;
        } else if (this._noticeSamples > 0 && --this._noticeSamples === 0) {
          this._notice = null;
        }
        break;
      case 'waiting':
        this._stale = this._sample !== null;
        this._phase = this._sample ? 'running' : 'starting';
        this._message = outcome.error;
        break;
      case 'disconnected':
        this._phase = 'disconnected';
        this._stale = this._sample !== null;
        this._message = outcome.error;
        if (this._disconnectedSince === null) {
          this._disconnectedSince = this._now();
        }
        break;
      case 'invalid':
        this._probeError = outcome.error;
        this._stale = true;
        if (this._phase !== 'running') {
          this._phase = 'running';
        }
        break;
      case 'timeout':
      case 'busy':
        this._stale = true;
        if (this._phase === 'unavailable' || this._phase === 'disconnected') {
          this._phase = this._sample ? 'running' : 'starting';
        }
        this._message = `No answer from the monitor kernel within ${Math.round(this._settings.timeoutMs / 1000)} s.`;
        break;
      case 'unavailable':
        this._phase = 'unavailable';
        this._message = outcome.error;
        this._stale = this._sample !== null;
        break;
    }
    this._changed.emit();
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

  /**
   * Whether the poll should skip this tick: the page is hidden and no kernel
   * of it is busy (or one is, but the slow cadence is not due), or nothing
   * happened for `idlePauseMs` (then monitoring pauses).
   */
  private _standby(): boolean {
    if (!this._running || this._paused) {
      return true;
    }
    const now = this._now();
    const busy = !!this._context.anyKernelBusy;
    const pauseAfter = this._settings.idlePauseMs;
    if (
      pauseAfter > 0 &&
      !busy &&
      now - Math.max(this._lastInput, this._lastBusy) >= pauseAfter
    ) {
      // The poll is in the middle of its tick: stop it right after.
      void Promise.resolve().then(() => this._pause());
      return true;
    }
    if (this._isHidden()) {
      return (
        !busy || now - this._lastRequestAt < this._settings.hiddenBusyIntervalMs
      );
    }
    return false;
  }

  private _pause(): void {
    if (this._paused || !this._running || this._isDisposed) {
      return;
    }
    this._paused = true;
    this._phase = 'paused';
    this._message = null;
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
    this._phase = this._sample ? 'running' : 'starting';
    this._stale = this._sample !== null;
    this._message = null;
    this._changed.emit();
    void this._poll.start();
  }

  private _record(sample: IProbeSample): void {
    const now = this._now();
    this._sample = sample;
    this._sampleTime = now;
    this._sampleCount++;
    this._probeError = null;
    this._stale = false;
    this._phase = 'running';
    this._message = null;
    this.history.push(now, Private.historyValues(sample));
  }

  private _transport: IProbeTransport;
  private _settings: IMonitorSettings;
  private _now: () => number;
  private _isHidden: () => boolean;
  private _lastInput: number;
  private _lastBusy = 0;
  private _lastRequestAt = 0;
  private _paused = false;
  private _disconnectedSince: number | null = null;
  private _notice: string | null = null;
  private _noticeSamples = 0;
  private _poll: Poll;
  private _changed = new Signal<this, void>(this);
  private _phase: MonitorPhase = 'idle';
  private _message: string | null = null;
  private _sample: IProbeSample | null = null;
  private _sampleTime: number | null = null;
  private _sampleCount = 0;
  private _probeError: string | null = null;
  private _stale = false;
  private _context: INotebookContext = NO_NOTEBOOK;
  private _running = false;
  private _demand = new Set<string>();
  private _checkpointGlobs: string[] = [];
  private _isDisposed = false;
}

/** History series names, shared by the model and the plots. */
export namespace SeriesKeys {
  export const ram = 'ram-percent';
  export function gpuUtilization(index: number): string {
    return `gpu-${index}-utilization-percent`;
  }
  export function gpuMemory(index: number): string {
    return `gpu-${index}-memory-percent`;
  }
}

namespace Private {
  /** How many samples a notice stays up for. */
  export const NOTICE_SAMPLES = 15;

  export function documentHidden(): boolean {
    return typeof document !== 'undefined' && document.hidden;
  }

  export function historyValues(
    sample: IProbeSample
  ): Record<string, number | null> {
    const values: Record<string, number | null> = {};
    for (const gpu of sample.gpus) {
      values[SeriesKeys.gpuUtilization(gpu.index)] =
        gpu.utilization_gpu_percent;
      values[SeriesKeys.gpuMemory(gpu.index)] =
        gpu.memory_used_bytes !== null && gpu.memory_total_bytes
          ? (100 * gpu.memory_used_bytes) / gpu.memory_total_bytes
          : null;
    }
    const host = sample.host;
    const ramTotal = host.memory_limit_bytes ?? host.memory_total_bytes;
    values[SeriesKeys.ram] =
      host.memory_used_bytes !== null && ramTotal
        ? (100 * host.memory_used_bytes) / ramTotal
        : null;
    return values;
  }

  export function sameContext(
    a: INotebookContext,
    b: INotebookContext
  ): boolean {
    return (
      a.notebookOpen === b.notebookOpen &&
      a.activeKernelId === b.activeKernelId &&
      a.activeNotebookPath === b.activeNotebookPath &&
      (a.activeKernelStatus ?? null) === (b.activeKernelStatus ?? null) &&
      !!a.anyKernelBusy === !!b.anyKernelBusy &&
      a.kernelIds.length === b.kernelIds.length &&
      a.kernelIds.every((id, i) => id === b.kernelIds[i])
    );
  }
}
