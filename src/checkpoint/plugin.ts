/**
 * Checkpoint requests: the `gpu-session:checkpoint-now` command, the
 * requests made by themselves before the end, and their life in the
 * sidebar and the notifications.
 */
import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette, Notification } from '@jupyterlab/apputils';
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
import { formatClock, formatDuration } from '../ui/format';
import { describeRequest } from './describe';
import { requestFolders } from './folders';
import { CheckpointRequests, ICheckpointRequestState } from './requests';
import {
  DEFAULT_CHECKPOINT_SETTINGS,
  ICheckpointSettings,
  readCheckpointSettings
} from './settings';
import { dueTriggers, ITrigger } from './triggers';

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
    const requests = new CheckpointRequests({
      answerMs: () => settings.answerMs
    });
    const fired = new Set<string>();

    const ask = (reason: string, trigger: string, saveBy: number | null) => {
      const folders = requestFolders(
        requests.loops,
        clock.settings.checkpointGlobs
      );
      const request = requests.request(reason, trigger, folders, saveBy);
      if (request) {
        void monitor.requestCheckpoint(request);
      }
    };

    app.commands.addCommand(CommandIDs.checkpointNow, {
      label: trans.__('Checkpoint Now'),
      caption: trans.__(
        'Ask the training loop (CheckpointKeeper) to save a checkpoint at its next step'
      ),
      execute: () => ask(trans.__('Checkpoint now'), 'manual', null)
    });
    palette?.addItem({
      command: CommandIDs.checkpointNow,
      category: trans.__('GPU Session')
    });

    const reasonOf = (trigger: ITrigger): string => {
      const end = trigger.saveBy === null ? '' : formatClock(trigger.saveBy);
      switch (trigger.kind) {
        case 'before-end':
          return trans.__('the session ends at %1', end);
        case 'idle':
          return trans.__('the idle cut-off comes at %1', end);
        case 'interruption':
          return end
            ? trans.__('the cloud reclaims this VM at %1', end)
            : trans.__('the cloud reclaims this VM');
      }
    };
    const checkTriggers = () => {
      const notice = monitor.sample?.interruption;
      const { hard, idle } = clock.countdown;
      const due = dueTriggers({
        now: Date.now(),
        hard,
        idle,
        interruption: notice?.kind
          ? {
              key: `${notice.cloud}:${notice.kind}`,
              deadlineAt:
                notice.deadline_at === null ? null : notice.deadline_at * 1000
            }
          : null,
        leadMs: settings.leadMs,
        lastSaveMs: requests.lastSaveMs,
        idleWarningMs: settings.onIdleWarning
          ? Math.max(0, ...clock.settings.warningMinutes) * 60_000
          : 0,
        onInterruption: settings.onInterruption,
        fired
      });
      for (const trigger of due) {
        fired.add(trigger.key);
        if (trigger.kind === 'interruption') {
          announceInterruption(trigger.saveBy, notice?.detail ?? null);
        }
        ask(reasonOf(trigger), trigger.kind, trigger.saveBy);
      }
    };
    const announceInterruption = (at: number | null, detail: string | null) => {
      const text =
        at === null
          ? trans.__(
              'This VM is being reclaimed by the cloud (%1).',
              detail ?? ''
            )
          : trans.__(
              'Spot instance reclaimed at %1, in %2. A checkpoint was requested.',
              formatClock(at),
              formatDuration(Math.max(0, at - Date.now()))
            );
      Notification.error(text, { autoClose: false });
    };

    let sampleCount = -1;
    monitor.changed.connect(() => {
      if (monitor.sample && monitor.sampleCount !== sampleCount) {
        sampleCount = monitor.sampleCount;
        requests.update(monitor.sample);
        section?.refresh();
        checkTriggers();
      }
    });
    clock.changed.connect(checkTriggers);

    // Each request's life in one notification, updated in place.
    let shown: { id: string; request: string } | null = null;
    requests.changed.connect((_, state: ICheckpointRequestState) => {
      const said = describeRequest(state, trans, settings.answerMs);
      const type = said.level === 'error' ? 'error' : said.level;
      if (shown?.request === state.id) {
        Notification.update({
          id: shown.id,
          message: said.text,
          type,
          autoClose: said.level === 'info' ? false : 15000
        });
      } else {
        shown = {
          request: state.id,
          id: Notification.emit(said.text, type, { autoClose: false })
        };
      }
    });

    let section: import('./section').CheckpointSection | null = null;
    sidebar?.addSection(async () => {
      const { CheckpointSection } = await import('./section');
      section = new CheckpointSection({
        requests,
        trans,
        checkpointNow: () =>
          void app.commands.execute(CommandIDs.checkpointNow),
        hasFolders: () =>
          requestFolders(requests.loops, clock.settings.checkpointGlobs)
            .length > 0,
        answerMs: () => settings.answerMs
      });
      return section;
    }, 5);

    followSettings(
      settingRegistry,
      PluginIDs.checkpoint,
      trans.__('checkpoint'),
      readCheckpointSettings,
      values => {
        settings = values;
        checkTriggers();
      },
      trans
    );
  }
};
