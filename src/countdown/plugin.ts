/**
 * The session countdown: a sidebar section, a status bar item and
 * warnings before the session ends.
 */
import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { IStatusBar } from '@jupyterlab/statusbar';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { Poll } from '@lumino/polling';
import { Widget } from '@lumino/widgets';
import { fetchServerLimits } from './limitsClient';
import { LazySessionClock } from './lazyClock';
import type { CountdownWarnings } from './findings';
import { readCountdownSettings } from './settings';
import { followSettings } from '../settings/followSettings';
import { countdownStatusText } from './statusText';
import { interruptionDeadline } from './interruption';
import { browserStorage } from '../ui/storage';
import { userActivity } from '../ui/activity';
import {
  IGpuSessionSidebar,
  IGpuSessionWarnings,
  ISessionClock,
  IResourceMonitor,
  PluginIDs
} from '../tokens';
import { CommandIDs } from '../commands';

/** The warning rules the countdown raises. */
const COUNTDOWN_RULES = new Set(['session-ending', 'work-at-risk']);

/** How often the server's limits are read again. */
const LIMITS_REFRESH_MS = 10 * 60 * 1000;

/** Adds the session countdown. */
export const countdownPlugin: JupyterFrontEndPlugin<ISessionClock> = {
  id: PluginIDs.countdown,
  description:
    'Counts down to the session’s hard end and idle cut-off, and warns before them.',
  autoStart: true,
  provides: ISessionClock,
  requires: [IResourceMonitor, IGpuSessionSidebar, IGpuSessionWarnings],
  optional: [ISettingRegistry, IStatusBar, ITranslator],
  activate: (
    app: JupyterFrontEnd,
    monitor: IResourceMonitor,
    sidebar: IGpuSessionSidebar,
    warnings: IGpuSessionWarnings,
    settingRegistry: ISettingRegistry | null,
    statusBar: IStatusBar | null,
    translator: ITranslator | null
  ): ISessionClock => {
    const trans = (translator ?? nullTranslator).load('jupyterlab_gpu_session');
    // The countdown's warnings, made with the model: before it nothing is
    // due and nothing is listed.
    let listed: CountdownWarnings | null = null;
    // The countdown's model is fetched once there is something to count.
    const clock = new LazySessionClock({
      store: browserStorage(),
      onLoad: module => {
        listed = new module.CountdownWarnings(trans, () =>
          app.commands.hasCommand(CommandIDs.insertTemplate)
        );
      }
    });
    // The section's code is fetched when the sidebar is first shown; it
    // shows the policy even with no clock, so it fetches the model too.
    sidebar.addSection(async () => {
      const [{ CountdownSection }] = await Promise.all([
        import('./section'),
        clock.loadModel()
      ]);
      return new CountdownSection(clock.model!, translator ?? nullTranslator);
    }, 10);

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
      clock.setInterruption(interruptionDeadline(monitor.sample));
    });

    // Idle time restarts with input in this page and with executions: the
    // same source as the monitor's idle pause.
    userActivity().active.connect(() => clock.recordActivity());

    // The countdown's warnings live in the warning list (sidebar list,
    // notifications updated in place, snooze kept across reloads).
    const onTick = () => {
      const horizonMs = Math.max(...clock.settings.warningMinutes, 0) * 60_000;
      const due = clock.tick();
      warnings.update(
        trans.__('countdown'),
        listed ? listed.update(due, clock.countdown, horizonMs) : []
      );
    };
    // A hidden tab still warns, through the browser, when the user asked.
    warnings.list.raised.connect((_, warning) => {
      if (
        COUNTDOWN_RULES.has(warning.rule) &&
        clock.settings.desktopNotifications &&
        document.hidden &&
        'Notification' in window &&
        window.Notification.permission === 'granted'
      ) {
        new window.Notification(trans.__('GPU session'), {
          body: warning.title
        });
      }
    });
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

    followSettings(
      settingRegistry,
      PluginIDs.countdown,
      trans.__('countdown'),
      readCountdownSettings,
      values => {
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
      },
      trans
    );
    return clock;
  }
};
