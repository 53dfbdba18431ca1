/**
 * The session countdown: a sidebar section, a status bar item and
 * warnings before the session ends.
 */
import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { Notification } from '@jupyterlab/apputils';
import { NotebookActions } from '@jupyterlab/notebook';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { IStatusBar } from '@jupyterlab/statusbar';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { Poll } from '@lumino/polling';
import { Widget } from '@lumino/widgets';
import { fetchServerLimits } from '../countdown/limitsClient';
import { ClockWarning, SessionClock } from '../countdown/sessionClock';
import { readCountdownSettings } from '../countdown/settings';
import {
  CountdownSection,
  countdownStatusText
} from '../views/countdownSection';
import { formatDuration } from '../views/format';
import { CountdownWarnings } from '../warnings/countdown';
import {
  CommandIDs,
  IGpuSessionSidebar,
  IGpuSessionWarnings,
  IResourceMonitor,
  PluginIDs
} from '../tokens';

/** How often the server's limits are read again. */
const LIMITS_REFRESH_MS = 10 * 60 * 1000;

/** Adds the session countdown. */
export const countdownPlugin: JupyterFrontEndPlugin<void> = {
  id: PluginIDs.countdown,
  description:
    'Counts down to the session’s hard end and idle cut-off, and warns before them.',
  autoStart: true,
  requires: [IResourceMonitor, IGpuSessionSidebar],
  optional: [ISettingRegistry, IStatusBar, ITranslator, IGpuSessionWarnings],
  activate: (
    app: JupyterFrontEnd,
    monitor: IResourceMonitor,
    sidebar: IGpuSessionSidebar,
    settingRegistry: ISettingRegistry | null,
    statusBar: IStatusBar | null,
    translator: ITranslator | null,
    warnings: IGpuSessionWarnings | null
  ) => {
    const trans = (translator ?? nullTranslator).load('jupyterlab');
    const clock = new SessionClock({ store: window.localStorage });
    sidebar.addSection(
      new CountdownSection(clock, translator ?? nullTranslator),
      10
    );

    if (statusBar) {
      const item = new Widget({ node: document.createElement('button') });
      item.addClass('jp-GpuSession-statusItem');
      item.addClass('jp-GpuSession-countdownStatus');
      item.node.addEventListener(
        'click',
        () => void app.commands.execute(CommandIDs.open)
      );
      clock.changed.connect(() => {
        const text = countdownStatusText(clock, trans);
        item.node.textContent = text;
        item.node.title = clock.countdown.nearest
          ? trans.__(
              '%1 (%2). Click for details.',
              text,
              clock.countdown.nearest.detail
            )
          : '';
        item.node.hidden = text === '';
      });
      statusBar.registerStatusItem(PluginIDs.countdown, {
        item,
        align: 'left',
        rank: 5
      });
    }

    monitor.changed.connect(() => {
      clock.setDetected(monitor.sample?.platform ?? null);
      clock.setCheckpoint(monitor.sample?.checkpoint ?? null);
    });

    // Idle time restarts with input in this page and with executions.
    const onInput = () => clock.recordActivity();
    document.addEventListener('keydown', onInput, {
      capture: true,
      passive: true
    });
    document.addEventListener('pointerdown', onInput, {
      capture: true,
      passive: true
    });
    NotebookActions.executionScheduled.connect(onInput);

    const show = (warning: ClockWarning, inApp: boolean) =>
      showWarning(
        app,
        warning,
        trans,
        clock.settings.desktopNotifications,
        inApp
      );
    // With the warning list, the countdown's warnings live there (sidebar
    // list, notifications updated in place, snooze kept across reloads).
    const listed = warnings
      ? new CountdownWarnings(trans, () =>
          app.commands.hasCommand(CommandIDs.insertTemplate)
        )
      : null;
    const onTick = () => {
      const due = clock.tick();
      due.forEach(warning => show(warning, !listed));
      if (warnings && listed) {
        const horizonMs =
          Math.max(...clock.settings.warningMinutes, 0) * 60_000;
        warnings.update(
          'countdown',
          listed.update(due, clock.countdown, horizonMs)
        );
      }
    };
    // Local arithmetic only: it never reaches the server, so it may keep
    // ticking in a hidden tab and still warn through desktop notifications.
    const ticker = new Poll({
      auto: true,
      factory: async () => onTick(),
      frequency: { interval: 1000, backoff: false },
      name: 'jupyterlab-gpu-session:countdown',
      standby: 'never'
    });
    const limits = new Poll({
      auto: true,
      factory: async () =>
        clock.setServerLimits(
          await fetchServerLimits(app.serviceManager.serverSettings)
        ),
      frequency: { interval: LIMITS_REFRESH_MS, backoff: false },
      name: 'jupyterlab-gpu-session:limits',
      standby: 'when-hidden'
    });
    app.restored.then(() => void limits.refresh()).catch(() => undefined);
    void ticker;

    if (settingRegistry) {
      void settingRegistry
        .load(PluginIDs.countdown)
        .then(settings => {
          const apply = () => {
            const { settings: values, problems } = readCountdownSettings(
              settings.composite as { [key: string]: unknown }
            );
            if (problems.length) {
              Notification.warning(
                trans.__(
                  'GPU Session countdown settings ignored: %1',
                  problems.join('; ')
                ),
                { autoClose: 8000 }
              );
            }
            clock.setSettings(values);
            monitor.setCheckpointGlobs(values.checkpointGlobs);
            if (
              values.desktopNotifications &&
              'Notification' in window &&
              window.Notification.permission === 'default'
            ) {
              // Asked only once the user turned desktop warnings on.
              void window.Notification.requestPermission();
            }
          };
          settings.changed.connect(apply);
          apply();
        })
        .catch(reason =>
          console.error(
            'jupyterlab-gpu-session: countdown settings not loaded',
            reason
          )
        );
    }
  }
};

function showWarning(
  app: JupyterFrontEnd,
  warning: ClockWarning,
  trans: ReturnType<typeof nullTranslator.load>,
  desktop: boolean,
  inApp = true
): void {
  const left = formatDuration(warning.clock.remainingMs / 1000);
  let message: string;
  if (warning.kind === 'threshold') {
    message =
      warning.clock.kind === 'idle'
        ? trans.__(
            'The session stops for inactivity in %1 (%2).',
            left,
            warning.clock.detail
          )
        : trans.__(
            'The session ends in %1 (%2). Save your work and checkpoints now.',
            left,
            warning.clock.detail
          );
  } else {
    message =
      warning.checkpointAgeMs === null
        ? trans.__(
            'The session ends in %1 and no checkpoint was found: training since the start would be lost.',
            left
          )
        : trans.__(
            'The session ends in %1, but the last checkpoint is %2 old: save one now.',
            left,
            formatDuration(warning.checkpointAgeMs / 1000)
          );
  }
  const actions: Notification.IAction[] = [];
  if (app.commands.hasCommand(CommandIDs.insertTemplate)) {
    actions.push({
      label: trans.__('Insert checkpoint cell'),
      callback: () =>
        void app.commands.execute(CommandIDs.insertTemplate, {
          id: 'checkpoint-train'
        })
    });
  }
  actions.push(
    {
      label: trans.__('Open sidebar'),
      callback: () => void app.commands.execute(CommandIDs.open)
    },
    {
      label: trans.__('Snooze'),
      caption: trans.__('Hide this warning until the next threshold'),
      callback: () => undefined
    }
  );
  if (inApp) {
    Notification.warning(message, { autoClose: false, actions });
  }
  if (
    desktop &&
    document.hidden &&
    'Notification' in window &&
    window.Notification.permission === 'granted'
  ) {
    new window.Notification(trans.__('GPU session'), { body: message });
  }
}
