/**
 * The shapes shared by the warning rules, the warning list and its views.
 * No DOM and no JupyterLab application imports: rules and the list are
 * tested as plain functions and classes.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import { ReadonlyJSONObject } from '@lumino/coreutils';
import { ISeriesPoints } from '../monitor/history';
import { IProbeSample } from '../monitor/protocol';
import { IWarningsSettings } from './settings';

/** The rules of the monitor, and the countdown's warnings. */
export type WarningRuleId =
  | 'gpu-idle'
  | 'idle-kernel-gpu-memory'
  | 'gpu-memory-full'
  | 'ram-full'
  | 'ram-unused'
  | 'disk-full'
  | 'kernel-died-near-limit'
  | 'session-ending'
  | 'work-at-risk';

/** How a warning is shown: waste is `info`, a risk `warning`, a loss `error`. */
export type WarningSeverity = 'info' | 'warning' | 'error';

/** A next step offered with a warning: a command with its arguments. */
export interface IWarningAction {
  /** Translated button label. */
  label: string;
  /** Translated tooltip. */
  caption?: string;
  /** The command to run. */
  command: string;
  /** The command's arguments. */
  args?: ReadonlyJSONObject;
}

/** What a rule found: one warning as it reads now. */
export interface IWarningFinding {
  /**
   * Identity of the warning across evaluations: the rule id, then the
   * subject after a colon (`disk-full:/home/me`). Stable while it lasts.
   */
  key: string;
  /** Snooze and dismiss act on the rule. */
  rule: WarningRuleId;
  /** How it is shown. */
  severity: WarningSeverity;
  /** One line with the numbers (the notification's text). */
  title: string;
  /** What was measured, and since when. */
  detail: string;
  /** What to do about it. */
  advice: string;
  /** The next steps offered. */
  actions: IWarningAction[];
  /**
   * A new value while the key stays active means a new occurrence (the next
   * countdown threshold, another kernel death): it is raised anew and a
   * snooze of its rule is lifted.
   */
  epoch?: string | number;
}

/** What the rules read from a history: the monitor's `SampleHistory` fits. */
export interface IHistoryView {
  /** Points of `key` at or after `since` (unix ms), oldest first. */
  points(key: string, since?: number): ISeriesPoints;
}

/** A notebook kernel as the page sees it. */
export interface IKernelActivity {
  /** The kernel id. */
  id: string;
  /** The notebook's path, for messages. */
  path: string;
  /** JupyterLab's kernel status (`idle`, `busy`, `dead`...). */
  status: string;
  /** Since when the kernel is idle (unix ms); null unless idle. */
  idleSince: number | null;
}

/** The last numbers seen of a kernel, kept to explain its death. */
export interface IKernelLastSeen {
  /** When (unix ms). */
  at: number;
  /** Resident memory of the kernel and its children. */
  rssBytes: number | null;
  /** GPU memory attributed to the kernel. */
  gpuMemoryBytes: number | null;
  /** RAM in use (of the container when limited). */
  ramUsedBytes: number | null;
  /** The container limit, or the host memory without a limit. */
  ramLimitBytes: number | null;
  /** `ramUsedBytes` in percent of `ramLimitBytes`. */
  ramPercent: number | null;
}

/** A kernel that died (or was restarted by the server after dying). */
export interface IKernelDeath {
  /** The dead kernel's id. */
  kernelId: string;
  /** Its notebook's path, for messages. */
  path: string;
  /** When the page saw it die (unix ms). */
  at: number;
  /** The last numbers seen of it before it died. */
  last: IKernelLastSeen | null;
}

/** Everything a rule may read. Rules are pure functions of this. */
export interface IRuleInput {
  /** Unix ms. */
  now: number;
  /** The warnings' own history of the series. */
  history: IHistoryView;
  /** The latest valid sample. */
  sample: IProbeSample | null;
  /**
   * The longest stretch without a valid point that still counts as
   * continuous data; longer gaps break an "idle for N minutes" run.
   */
  maxGapMs: number;
  /** The open notebooks' kernels. */
  kernels: IKernelActivity[];
  /** Recent kernel deaths, oldest first. */
  deaths: IKernelDeath[];
  /** The warnings' settings. */
  settings: IWarningsSettings;
  /** Keys of the warnings active now, for hysteresis. */
  active: ReadonlySet<string>;
  /** The extension's translation bundle. */
  trans: TranslationBundle;
}

/** A rule: input in, findings out. */
export type WarningRule = (input: IRuleInput) => IWarningFinding[];
