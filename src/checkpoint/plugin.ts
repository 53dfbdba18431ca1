/**
 * Checkpoint requests: the `gpu-session:checkpoint-now` command, the
 * requests made by themselves before the end, and their life in the
 * sidebar and the notifications.
 */
import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { CommandIDs } from '../commands';
import { followSettings } from '../settings/followSettings';
import {
  IGpuSessionSidebar,
  IResourceMonitor,
  ISessionClock,
  PluginIDs
} from '../tokens';
import type { ICheckpointSession } from './session';
import {
  DEFAULT_CHECKPOINT_SETTINGS,
  ICheckpointSettings,
  readCheckpointSettings
} from './settings';

/** Adds checkpoint requests. */
export const checkpointPlugin: JupyterFrontEndPlugin<void> = {
  id: PluginIDs.checkpoint,
  description:
    'Asks the training loop for a checkpoint on request, before the session ends and on a spot VM’s interruption notice.',
  autoStart: true,
  requires: [IResourceMonitor, ISessionClock],
  optional: [
    IGpuSessionSidebar,
    ISettingRegistry,
    ICommandPalette,
    ITranslator
  ],
  activate: (
    app: JupyterFrontEnd,
    monitor: IResourceMonitor,
    clock: ISessionClock,
    sidebar: IGpuSessionSidebar | null,
    settingRegistry: ISettingRegistry | null,
    palette: ICommandPalette | null,
    translator: ITranslator | null
  ) => {
    const trans = (translator ?? nullTranslator).load('jupyterlab_gpu_session');
    let settings: ICheckpointSettings = DEFAULT_CHECKPOINT_SETTINGS;
    // The requests' code is fetched when monitoring first starts, on the
    // first "Checkpoint now" or when the sidebar is first shown: before the
    // first sample there is no training loop to ask, and a request made
    // while monitoring is stopped goes with the next sample anyway.
    let session: Promise<ICheckpointSession> | null = null;
    const load = () =>
      (session ??= import('./session').then(
        module =>
          module.startCheckpointSession({
            monitor,
            clock,
            trans,
            settings: () => settings,
            checkpointNow: () =>
              void app.commands.execute(CommandIDs.checkpointNow)
          }),
        reason => {
          session = null; // a failed chunk load is tried again next time
          throw reason;
        }
      ));
    const loadWhenMonitoring = () => {
      if (monitor.phase !== 'idle') {
        monitor.changed.disconnect(loadWhenMonitoring);
        void load().catch(reason =>
          console.error('jupyterlab-gpu-session: no checkpoints', reason)
        );
      }
    };
    monitor.changed.connect(loadWhenMonitoring);
    loadWhenMonitoring();

    app.commands.addCommand(CommandIDs.checkpointNow, {
      label: trans.__('Checkpoint Now'),
      caption: trans.__(
        'Ask the training loop (CheckpointKeeper) to save a checkpoint at its next step'
      ),
      execute: async () =>
        (await load()).ask(trans.__('Checkpoint now'), 'manual', null)
    });
    palette?.addItem({
      command: CommandIDs.checkpointNow,
      category: trans.__('GPU Session')
    });

    sidebar?.addSection(async () => (await load()).createSection(), 5);

    followSettings(
      settingRegistry,
      PluginIDs.checkpoint,
      trans.__('checkpoint'),
      readCheckpointSettings,
      values => {
        settings = values;
        void session?.then(started => started.checkTriggers());
      },
      trans
    );
  }
};
