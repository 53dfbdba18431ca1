/**
 * The checkpoint requests at work: made on request and by themselves
 * before the end, followed through the samples, told in notifications and
 * in the sidebar section.
 *
 * A chunk of its own: the plugin fetches it when monitoring first starts
 * (samples bring the training loops and the interruption notices), on the
 * first "Checkpoint now" or when the sidebar is first shown.
 */
import { Notification } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { ISessionClock, IResourceMonitor } from '../tokens';
import { formatClock, formatDuration } from '../ui/format';
import { describeRequest } from './describe';
import { requestFolders } from './folders';
import { CheckpointRequests, ICheckpointRequestState } from './requests';
import { CheckpointSection } from './section';
import { ICheckpointSettings } from './settings';
import { dueTriggers, ITrigger } from './triggers';

/** What the requests read from the plugin. */
export interface ICheckpointSessionOptions {
  monitor: IResourceMonitor;
  clock: ISessionClock;
  trans: TranslationBundle;
  /** The settings in force, read each time. */
  settings: () => ICheckpointSettings;
  /** Runs the `gpu-session:checkpoint-now` command (the section's button). */
  checkpointNow: () => void;
}

/** The running checkpoint requests of the page. */
export interface ICheckpointSession {
  /** Ask for a checkpoint now, for `reason`. */
  ask(reason: string, trigger: string, saveBy: number | null): void;
  /** Look again for a request due, after a change of the settings. */
  checkTriggers(): void;
  /** Make the sidebar section. */
  createSection(): CheckpointSection;
}

/** Start following the checkpoint requests. */
export function startCheckpointSession(
  options: ICheckpointSessionOptions
): ICheckpointSession {
  const { monitor, clock, trans, settings } = options;
  const requests = new CheckpointRequests({
    answerMs: () => settings().answerMs
  });
  const fired = new Set<string>();
  let section: CheckpointSection | null = null;

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
  const checkTriggers = () => {
    const notice = monitor.sample?.interruption;
    const { hard, idle } = clock.countdown;
    const { leadMs, onIdleWarning, onInterruption } = settings();
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
      leadMs,
      lastSaveMs: requests.lastSaveMs,
      idleWarningMs: onIdleWarning
        ? Math.max(0, ...clock.settings.warningMinutes) * 60_000
        : 0,
      onInterruption,
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

  let sampleCount = -1;
  const onSample = () => {
    if (monitor.sample && monitor.sampleCount !== sampleCount) {
      sampleCount = monitor.sampleCount;
      requests.update(monitor.sample);
      section?.refresh();
      checkTriggers();
    }
  };
  monitor.changed.connect(onSample);
  clock.changed.connect(checkTriggers);

  // Each request's life in one notification, updated in place.
  let shown: { id: string; request: string } | null = null;
  requests.changed.connect((_, state: ICheckpointRequestState) => {
    const said = describeRequest(state, trans, settings().answerMs);
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
  // A sample that came while this chunk was fetched counts.
  onSample();

  return {
    ask,
    checkTriggers,
    createSection: () =>
      (section = new CheckpointSection({
        requests,
        trans,
        checkpointNow: options.checkpointNow,
        hasFolders: () =>
          requestFolders(requests.loops, clock.settings.checkpointGlobs)
            .length > 0,
        answerMs: () => settings().answerMs
      }))
  };
}
