/**
 * Resource-waste and risk warnings: wires the rules to the monitor, the
 * notebook kernels and the settings, and the warning list to the sidebar,
 * the notifications, the status bar mark and the state database.
 */
import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { SessionContextDialogs } from '@jupyterlab/apputils';
import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { IStateDB } from '@jupyterlab/statedb';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { ReadonlyPartialJSONObject } from '@lumino/coreutils';
import { KernelTracker } from './kernels';
import { followSettings } from '../settings/followSettings';
import { IWarningListState, WarningList } from './list';
import { WarningNotifier } from './notifier';
import { newestPoint, PeakHistory, peakHistoryShape } from './peakHistory';
import {
  DEFAULT_WARNINGS_SETTINGS,
  IWarningsSettings,
  longestWindowMs,
  readWarningsSettings,
  shortestWindowMs
} from './settings';
import { IWarningAction } from './types';
import {
  IGpuSessionSidebar,
  IGpuSessionWarnings,
  IResourceMonitor,
  PluginIDs
} from '../tokens';
import { CommandIDs } from '../commands';

/** Where the snoozes and dismissals are kept in the state database. */
const STATE_KEY = `${PluginIDs.warnings}:state`;

/** Provides the warning list and runs the monitor's rules. */
export const warningsPlugin: JupyterFrontEndPlugin<IGpuSessionWarnings> = {
  id: PluginIDs.warnings,
  description:
    'Warns about an idle GPU, memory nearly full or unused, full disks and kernels killed for memory, with what to do.',
  autoStart: true,
  provides: IGpuSessionWarnings,
  requires: [IResourceMonitor],
  optional: [
    INotebookTracker,
    IGpuSessionSidebar,
    IStateDB,
    ISettingRegistry,
    ITranslator
  ],
  activate: (
    app: JupyterFrontEnd,
    monitor: IResourceMonitor,
    tracker: INotebookTracker | null,
    sidebar: IGpuSessionSidebar | null,
    stateDB: IStateDB | null,
    settingRegistry: ISettingRegistry | null,
    translator: ITranslator | null
  ): IGpuSessionWarnings => {
    translator = translator ?? nullTranslator;
    const trans = translator.load('jupyterlab_gpu_session');
    let settings: IWarningsSettings = DEFAULT_WARNINGS_SETTINGS;
    const list = new WarningList({
      store: stateDB
        ? {
            load: async () =>
              ((await stateDB.fetch(STATE_KEY)) as unknown as
                IWarningListState | undefined) ?? null,
            save: async state => {
              await stateDB.save(
                STATE_KEY,
                state as unknown as ReadonlyPartialJSONObject
              );
            }
          }
        : null
    });
    const kernels = new KernelTracker();
    const maxGapMs = () =>
      Math.max(60_000, 3 * monitor.settings.intervalMs, 2 * history.bucketMs);
    const shape = () =>
      peakHistoryShape(
        shortestWindowMs(settings),
        longestWindowMs(settings),
        Math.max(60_000, 3 * monitor.settings.intervalMs)
      );
    let history = new PeakHistory(shape().bucketMs, shape().capacity);

    app.commands.addCommand(CommandIDs.restartIdleKernel, {
      label: trans.__('Restart Idle Kernel…'),
      caption: trans.__('Restart a kernel to free its GPU memory'),
      execute: async args => {
        const kernelId = args['kernelId'] as string;
        const panel = tracker?.find(
          p => p.sessionContext.session?.kernel?.id === kernelId
        );
        if (panel) {
          await new SessionContextDialogs({ translator }).restart(
            panel.sessionContext
          );
        }
      }
    });
    const run = (action: IWarningAction) =>
      void app.commands.execute(action.command, action.args ?? {});
    const snoozeMinutes = () => settings.snoozeMinutes;

    // The section's code is fetched when the sidebar is first shown.
    sidebar?.addSection(async () => {
      const { WarningsSection } = await import('./section');
      return new WarningsSection({ list, translator, run, snoozeMinutes });
    }, 1);
    const notifier = new WarningNotifier({
      list,
      trans,
      run,
      snoozeMinutes,
      enabled: () => settings.notifications
    });

    // Per-kernel status: idle since when, and deaths.
    const openKernels = () => {
      const open = new Map<string, string>();
      tracker?.forEach(panel => {
        const id = panel.sessionContext.session?.kernel?.id;
        if (id) {
          open.set(id, panel.context.path);
        }
      });
      return open;
    };
    const watchPanel = (panel: NotebookPanel) => {
      const onStatus = () => {
        const id = panel.sessionContext.session?.kernel?.id;
        if (id) {
          kernels.setStatus(
            id,
            panel.context.path,
            panel.sessionContext.session?.kernel?.status ?? 'unknown',
            Date.now()
          );
          evaluate();
        }
      };
      panel.sessionContext.statusChanged.connect(onStatus);
      panel.sessionContext.kernelChanged.connect(onStatus);
      onStatus();
    };

    // The rules are a chunk of their own, fetched when monitoring first
    // starts: nothing needs them before the first sample.
    let rules: typeof import('./rules') | null = null;
    let loadingRules = false;
    const loadRules = () => {
      if (loadingRules) {
        return;
      }
      loadingRules = true;
      import('./rules').then(
        module => {
          rules = module;
          evaluate();
        },
        reason => {
          loadingRules = false; // tried again with the next change
          console.error('jupyterlab-gpu-session: no warning rules', reason);
        }
      );
    };
    let sampleCount = -1;
    const evaluate = () => {
      if (!list.restored) {
        return;
      }
      if (monitor.phase === 'idle') {
        // Not monitoring (no notebook, sidebar closed): nothing is known.
        list.update('monitor', []);
        return;
      }
      const sample = monitor.sample;
      const sampleTime = monitor.sampleTime;
      if (
        sample &&
        sampleTime !== null &&
        monitor.sampleCount !== sampleCount
      ) {
        sampleCount = monitor.sampleCount;
        const point = newestPoint(monitor.history);
        if (point) {
          history.record(point.time, point.values);
        }
        kernels.recordSample(sample, sampleTime);
      }
      if (!rules) {
        // Samples are recorded meanwhile, so no rule misses a point.
        loadRules();
        return;
      }
      list.update(
        'monitor',
        rules.evaluateRules({
          now: Date.now(),
          history,
          sample,
          maxGapMs: maxGapMs(),
          kernels: kernels.activities(openKernels()),
          deaths: kernels.deaths,
          settings,
          active: list.activeKeys('monitor'),
          trans
        })
      );
    };

    void list.restore().then(() => {
      monitor.changed.connect(evaluate);
      if (tracker) {
        tracker.forEach(watchPanel);
        tracker.widgetAdded.connect((_, panel) => watchPanel(panel));
      }
      evaluate();
    });

    followSettings(
      settingRegistry,
      PluginIDs.warnings,
      trans.__('warnings'),
      readWarningsSettings,
      values => {
        settings = values;
        const next = shape();
        if (
          next.bucketMs !== history.bucketMs ||
          next.capacity !== history.capacity
        ) {
          history = history.reshaped(next.bucketMs, next.capacity);
        }
        evaluate();
        notifier.reconcile();
      },
      trans
    );

    return {
      list,
      update: (source, findings) => list.update(source, findings)
    };
  }
};
