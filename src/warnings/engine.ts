/**
 * The warnings' machinery: the list with its saved snoozes and dismissals,
 * the notifications, the peak history and the rules run on each change of
 * the monitor. One chunk, fetched when monitoring first starts, when a
 * source (the countdown) first finds something or when the sidebar is
 * first shown: before that nothing is known to warn about. The plugin
 * keeps at start what must not miss an event (the kernels' statuses) and
 * the facade behind IGpuSessionWarnings (lazyList.ts).
 */
import { TranslationBundle } from '@jupyterlab/translation';
import type { IResourceMonitor } from '../tokens';
import type { KernelTracker } from './kernels';
import { IWarningStore, WarningList } from './list';
import { WarningNotifier } from './notifier';
import { newestPoint, PeakHistory, peakHistoryShape } from './peakHistory';
import { evaluateRules } from './rules';
import {
  IWarningsSettings,
  longestWindowMs,
  shortestWindowMs
} from './settings';
import { IWarningAction } from './types';

/** What the engine reads from the plugin. */
export interface IWarningsEngineOptions {
  /** The monitor whose samples the rules read. */
  monitor: IResourceMonitor;
  /** The notebook kernels' statuses, recorded since start. */
  kernels: KernelTracker;
  /** The open notebooks' kernels: id → notebook path. */
  openKernels: () => Map<string, string>;
  /** Where snoozes and dismissals are kept; none: only in memory. */
  store: IWarningStore | null;
  /** The extension's translation bundle. */
  trans: TranslationBundle;
  /** Runs a warning's action. */
  run: (action: IWarningAction) => void;
  /** The warnings' settings in force. */
  settings: () => IWarningsSettings;
}

/** The list, the notifier and the rules, wired to the monitor. */
export class WarningsEngine {
  /** Makes the list and its notifier; `start` reads the saved state. */
  constructor(options: IWarningsEngineOptions) {
    this._options = options;
    this.list = new WarningList({ store: options.store });
    const shape = this._shape();
    this._history = new PeakHistory(shape.bucketMs, shape.capacity);
    this._notifier = new WarningNotifier({
      list: this.list,
      trans: options.trans,
      run: options.run,
      snoozeMinutes: () => options.settings().snoozeMinutes,
      enabled: () => options.settings().notifications
    });
  }

  /** The session's warning list. */
  readonly list: WarningList;

  /**
   * Read the saved snoozes and dismissals, call `restored` (the facade
   * attaches there, so that it sees every warning raised), then run the
   * rules on each change of the monitor.
   */
  async start(restored?: () => void): Promise<void> {
    await this.list.restore();
    restored?.();
    this._options.monitor.changed.connect(this.evaluate, this);
    this.evaluate();
  }

  /** Run the rules on what is known now (nothing while not monitoring). */
  evaluate(): void {
    const { monitor, kernels, settings, trans } = this._options;
    if (!this.list.restored) {
      return;
    }
    if (monitor.phase === 'idle') {
      // Not monitoring (no notebook, sidebar closed): nothing is known.
      this.list.update('monitor', []);
      return;
    }
    const sample = monitor.sample;
    const sampleTime = monitor.sampleTime;
    if (sample && sampleTime !== null && monitor.sampleCount !== this._count) {
      this._count = monitor.sampleCount;
      const point = newestPoint(monitor.history);
      if (point) {
        this._history.record(point.time, point.values);
      }
      kernels.recordSample(sample, sampleTime);
    }
    this.list.update(
      'monitor',
      evaluateRules({
        now: Date.now(),
        history: this._history,
        sample,
        maxGapMs: Math.max(
          60_000,
          3 * monitor.settings.intervalMs,
          2 * this._history.bucketMs
        ),
        kernels: kernels.activities(this._options.openKernels()),
        deaths: kernels.deaths,
        settings: settings(),
        active: this.list.activeKeys('monitor'),
        trans
      })
    );
  }

  /** Follow new settings: the history's shape, the rules, notifications. */
  settingsChanged(): void {
    const next = this._shape();
    if (
      next.bucketMs !== this._history.bucketMs ||
      next.capacity !== this._history.capacity
    ) {
      this._history = this._history.reshaped(next.bucketMs, next.capacity);
    }
    this.evaluate();
    this._notifier.reconcile();
  }

  /** The peak history's buckets for the rules' windows. */
  private _shape(): { bucketMs: number; capacity: number } {
    const settings = this._options.settings();
    return peakHistoryShape(
      shortestWindowMs(settings),
      longestWindowMs(settings),
      Math.max(60_000, 3 * this._options.monitor.settings.intervalMs)
    );
  }

  private _options: IWarningsEngineOptions;
  private _history: PeakHistory;
  private _notifier: WarningNotifier;
  private _count = -1;
}
