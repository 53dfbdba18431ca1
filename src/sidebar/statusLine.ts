/**
 * The one line at the top of the sidebar that says what state the monitor
 * is in: starting, unavailable, stale or live.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import type { IResourceMonitor } from '../tokens';
import { formatClock, formatDuration } from '../ui/format';

/** The state a person should know about, with its level. */
export interface IStatusLine {
  level: 'info' | 'warn' | 'error' | 'ok';
  text: string;
}

/** Describe the monitor's state in one sentence. */
export function describeMonitor(
  monitor: IResourceMonitor,
  trans: TranslationBundle
): IStatusLine {
  switch (monitor.phase) {
    case 'idle':
      return {
        level: 'info',
        text: trans.__(
          'Monitoring starts when a notebook is open or this panel is shown.'
        )
      };
    case 'starting':
      return {
        level: 'info',
        text: monitor.message
          ? trans.__('Starting the monitor… %1', monitor.message)
          : trans.__('Starting the monitor…')
      };
    case 'unavailable':
      return {
        level: 'error',
        text: monitor.sampleTime
          ? trans.__(
              'Monitor unavailable since %1: %2',
              formatClock(monitor.sampleTime),
              monitor.message ?? ''
            )
          : trans.__('Monitor unavailable: %1', monitor.message ?? '')
      };
    case 'paused':
      return {
        level: 'info',
        text: trans.__(
          'Paused: no input and no busy kernel for %1, so sampling stopped (a monitor kernel, if any, was shut down) and the session can idle. Press a key or click to resume.',
          formatDuration(monitor.settings.idlePauseMs)
        )
      };
    case 'disconnected':
      return {
        level: 'error',
        text: trans.__(
          'Disconnected since %1: the server does not answer. Monitoring resumes when it is back.',
          formatClock(monitor.disconnectedSince ?? Date.now())
        )
      };
    case 'running':
      break;
  }
  // JupyterLab's idea of the kernel status can lag (a restart through the
  // REST API leaves it at "starting"), so it is said only while the probe
  // does not find the kernel's process either.
  const kernelId = monitor.context.activeKernelId;
  const kernelStatus = monitor.context.activeKernelStatus ?? null;
  if (
    kernelId &&
    kernelStatus &&
    KERNEL_AWAY_TEXT[kernelStatus] &&
    (kernelStatus === 'dead' || !monitor.sample?.kernels[kernelId])
  ) {
    return {
      level: 'warn',
      text: trans.__(KERNEL_AWAY_TEXT[kernelStatus])
    };
  }
  if (monitor.probeError) {
    return {
      level: 'error',
      text: monitor.sampleTime
        ? trans.__(
            'Probe error; numbers below are from %1. %2',
            formatClock(monitor.sampleTime),
            monitor.probeError
          )
        : trans.__('Probe error: %1', monitor.probeError)
    };
  }
  if (monitor.stale) {
    return {
      level: 'warn',
      text: monitor.sampleTime
        ? trans.__(
            'Stale: no new data since %1. %2',
            formatClock(monitor.sampleTime),
            monitor.message ?? ''
          )
        : trans.__('Waiting for the first sample. %1', monitor.message ?? '')
    };
  }
  const live = monitor.sampleTime
    ? trans.__('Live · updated %1', formatClock(monitor.sampleTime))
    : trans.__('Live');
  return {
    level: 'ok',
    text: monitor.notice ? `${live} · ${trans.__(monitor.notice)}` : live
  };
}

/** What the line says while the notebook's kernel is away. */
const KERNEL_AWAY_TEXT: { [status: string]: string } = {
  restarting:
    'The notebook kernel is restarting; its numbers resume when it is back.',
  autorestarting:
    'The notebook kernel stopped (killed or crashed) and is being restarted; its numbers resume when it is back.',
  starting:
    'The notebook kernel is starting; its numbers follow when it is ready.',
  dead: 'The notebook kernel is dead. Restart it or choose another kernel.'
};
