/**
 * When the monitor stands by or pauses: it must never be what keeps an
 * idle session (and its GPU) alive.
 */
import { IProbeTransport } from './outcome';
import { IMonitorSettings } from './settings';

/** Options to create a monitor. */
export interface IResourceMonitorOptions {
  transport: IProbeTransport;
  settings?: IMonitorSettings;
  /** The clock, unix ms; injected for tests. */
  now?: () => number;
  /** Whether the page is hidden; `document.hidden` by default. */
  isHidden?: () => boolean;
}

/** What the standby rule looks at, at one tick. */
export interface IStandbyInput {
  now: number;
  /** Whether a kernel of the page runs code. */
  busy: boolean;
  /** Whether the page is hidden. */
  hidden: boolean;
  lastInput: number;
  /** When the last busy kernel turned idle. */
  lastBusy: number;
  lastRequestAt: number;
  /** 0 never pauses. */
  idlePauseMs: number;
  hiddenBusyIntervalMs: number;
}

/**
 * Sample, stand by (a hidden page with no busy kernel, or a busy one whose
 * slow cadence is not due), or pause (nothing happened for `idlePauseMs`).
 * The same for every transport: an execute in a subshell is kernel activity
 * like any other.
 */
export function standbyDecision(
  input: IStandbyInput
): 'sample' | 'standby' | 'pause' {
  const { now, busy } = input;
  if (
    input.idlePauseMs > 0 &&
    !busy &&
    now - Math.max(input.lastInput, input.lastBusy) >= input.idlePauseMs
  ) {
    return 'pause';
  }
  if (input.hidden) {
    return !busy || now - input.lastRequestAt < input.hiddenBusyIntervalMs
      ? 'standby'
      : 'sample';
  }
  return 'sample';
}

/** Whether the page is hidden (never in a test without a document). */
export function documentHidden(): boolean {
  return typeof document !== 'undefined' && document.hidden;
}
