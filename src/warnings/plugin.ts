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
import type { IWarningListState, IWarningStore } from './list';
import type { WarningsEngine } from './engine';
import { LazyWarningList } from './lazyList';
import {
  DEFAULT_WARNINGS_SETTINGS,
  IWarningsSettings,
  readWarningsSettings
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
    const store: IWarningStore | null = stateDB
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
      : null;
    // Kernel statuses are recorded from the start, so that "idle since"
    // is right whenever the rules come.
    const kernels = new KernelTracker();
    // The open notebooks' kernels: id → notebook path.
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

    // The list, the notifications and the rules are a chunk of their own
    // (engine.ts), fetched when monitoring first starts, when a source
    // first finds something or when the sidebar is first shown.
    let engine: WarningsEngine | null = null;
    let loading: Promise<WarningsEngine> | null = null;
    const loadEngine = () =>
      (loading ??= import('./engine').then(
        async module => {
          const made = new module.WarningsEngine({
            monitor,
            kernels,
            openKernels,
            store,
            trans,
            run,
            settings: () => settings
          });
          // Set before the saved state is read: settings that change
          // meanwhile reach it (it evaluates nothing until restored).
          engine = made;
          await made.start(() => facade.attach(made.list));
          return made;
        },
        reason => {
          loading = null; // tried again with the next change
          console.error('jupyterlab-gpu-session: no warnings', reason);
          throw reason;
        }
      ));
    const facade = new LazyWarningList(
      () => void loadEngine().catch(() => undefined)
    );
    const loadWhenMonitoring = () => {
      if (monitor.phase !== 'idle') {
        monitor.changed.disconnect(loadWhenMonitoring);
        void loadEngine().catch(() => undefined);
      }
    };
    monitor.changed.connect(loadWhenMonitoring);
    loadWhenMonitoring();

    // The section's code is fetched when the sidebar is first shown.
    sidebar?.addSection(async () => {
      const [{ WarningsSection }, { list }] = await Promise.all([
        import('./section'),
        loadEngine()
      ]);
      return new WarningsSection({
        list,
        translator,
        run,
        snoozeMinutes: () => settings.snoozeMinutes
      });
    }, 1);

    // Per-kernel status: idle since when, and deaths.
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
          engine?.evaluate();
        }
      };
      panel.sessionContext.statusChanged.connect(onStatus);
      panel.sessionContext.kernelChanged.connect(onStatus);
      onStatus();
    };
    if (tracker) {
      tracker.forEach(watchPanel);
      tracker.widgetAdded.connect((_, panel) => watchPanel(panel));
    }

    followSettings(
      settingRegistry,
      PluginIDs.warnings,
      trans.__('warnings'),
      readWarningsSettings,
      values => {
        settings = values;
        engine?.settingsChanged();
      },
      trans
    );

    return facade;
  }
};
