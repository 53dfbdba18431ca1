/**
 * The one line at the top of the sidebar that says what state the monitor
 * is in: starting, unavailable, stale or live.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import { ResourceMonitor } from '../model/monitor';
import { formatClock } from './format';

/** The state a person should know about, with its level. */
export interface IStatusLine {
  level: 'info' | 'warn' | 'error' | 'ok';
  text: string;
}

/** Describe the monitor's state in one sentence. */
export function describeMonitor(
  monitor: ResourceMonitor,
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
          ? trans.__('Starting the monitor kernel… %1', monitor.message)
          : trans.__('Starting the monitor kernel…')
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
    case 'running':
      break;
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
  return {
    level: 'ok',
    text: monitor.sampleTime
      ? trans.__('Live · updated %1', formatClock(monitor.sampleTime))
      : trans.__('Live')
  };
}
