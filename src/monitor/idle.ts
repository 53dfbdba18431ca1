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
  /** The settings the rule reads (`IMonitorSettings`). */
  settings: Pick<
    IMonitorSettings,
    'idlePauseMs' | 'hiddenBusyIntervalMs' | 'quietAfterMs' | 'quietIntervalMs'
  >;
}

/**
 * Whether nobody has given input for the quiet delay: a visible page then
 * samples at the quiet cadence.
 */
export function isQuiet(
  now: number,
  lastInput: number,
  settings: IStandbyInput['settings']
): boolean {
  return settings.quietAfterMs > 0 && now - lastInput >= settings.quietAfterMs;
}

/**
 * Sample, stand by (a hidden page with no busy kernel, or a busy one whose
 * slow cadence is not due; a visible page nobody has touched for the quiet
 * delay, between quiet samples), or pause (nothing happened for
 * `idlePauseMs`). The same for every transport: an execute in a subshell
 * is kernel activity like any other.
 *
 * #### Notes
 * The quiet cadence is what a page left open costs a shared node: each
 * sample is about 4 ms of kernel and 3.5 ms of server CPU (bench/hub_users.js),
 * which at the 2 s cadence is 0.4 % of a CPU per user.
 */
export function standbyDecision(
  input: IStandbyInput
): 'sample' | 'standby' | 'pause' {
  const { now, busy, settings } = input;
  const sinceRequest = now - input.lastRequestAt;
  if (
    settings.idlePauseMs > 0 &&
    !busy &&
    now - Math.max(input.lastInput, input.lastBusy) >= settings.idlePauseMs
  ) {
    return 'pause';
  }
  if (input.hidden) {
    return !busy || sinceRequest < settings.hiddenBusyIntervalMs
      ? 'standby'
      : 'sample';
  }
  return isQuiet(now, input.lastInput, settings) &&
    sinceRequest < settings.quietIntervalMs
    ? 'standby'
    : 'sample';
}

/** Whether the page is hidden (never in a test without a document). */
export function documentHidden(): boolean {
  return typeof document !== 'undefined' && document.hidden;
}
