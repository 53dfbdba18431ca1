/**
 * The public interfaces of the extension's features and their tokens.
 *
 * Each interface is what a consumer may use; the classes behind them
 * (ResourceMonitor, GpuSessionPanel, WarningList) implement them. Read-only
 * where consumers only read. No classes live here.
 */
import { Token } from '@lumino/coreutils';
import { ISignal } from '@lumino/signaling';
import { Widget } from '@lumino/widgets';
import type { SampleHistory } from './monitor/history';
import type { INotebookContext, MonitorPhase } from './monitor/monitor';
import type { TransportKind } from './monitor/outcome';
import type { ICheckpointRequest, IProbeSample } from './monitor/protocol';
import type { ISectionError } from './monitor/sectionErrors';
import type { IMonitorSettings } from './monitor/settings';
import type { ICountdown } from './countdown/countdown';
import type { ICountdownSettingsValues } from './countdown/settings';
import type { IWarning } from './warnings/list';
import type { IWarningFinding } from './warnings/types';

/** The plugin ids, one per feature. */
export namespace PluginIDs {
  /** The resource monitor. */
  export const monitor = 'jupyterlab-gpu-session:monitor';
  /** The GPU sidebar. */
  export const sidebar = 'jupyterlab-gpu-session:sidebar';
  /** The GPU status bar item. */
  export const statusItem = 'jupyterlab-gpu-session:status-item';
  /** The session countdown. */
  export const countdown = 'jupyterlab-gpu-session:countdown';
  /** The template cells. */
  export const templates = 'jupyterlab-gpu-session:templates';
  /** The warnings. */
  export const warnings = 'jupyterlab-gpu-session:warnings';
  /** The checkpoint requests. */
  export const checkpoint = 'jupyterlab-gpu-session:checkpoint';
}

/**
 * The resource monitor shared by the sidebar, the status bar, the
 * countdown and the warning rules: the latest probe sample, its history and
 * the monitor's state.
 */
export interface IResourceMonitor {
  /** Emitted after any change a view would show. */
  readonly changed: ISignal<IResourceMonitor, void>;
  /** Where the monitor is in its life. */
  readonly phase: MonitorPhase;
  /** Why the monitor is unavailable, or what it waits for. */
  readonly message: string | null;
  /** The latest valid sample. */
  readonly sample: IProbeSample | null;
  /** When the latest valid sample arrived (client clock, unix ms). */
  readonly sampleTime: number | null;
  /** The number of samples received. */
  readonly sampleCount: number;
  /** Why the latest reply was rejected, or the probe's own error. */
  readonly probeError: string | null;
  /**
   * The parts of the latest sample the probe could not read, each in the
   * probe's words and with the section it belongs beside.
   */
  readonly sectionErrors: ReadonlyArray<ISectionError>;
  /** How the latest sample was read: a subshell or the monitor kernel. */
  readonly transportKind: TransportKind | null;
  /** True when the latest tick brought no valid sample. */
  readonly stale: boolean;
  /** Whether monitoring is paused for lack of activity. */
  readonly paused: boolean;
  /** Something that happened to the monitor kernel, shown for a while. */
  readonly notice: string | null;
  /** When the server stopped answering (unix ms), if it has. */
  readonly disconnectedSince: number | null;
  /** What the page knows about its notebooks. */
  readonly context: Readonly<INotebookContext>;
  /** The settings in force. */
  readonly settings: Readonly<IMonitorSettings>;
  /** Points of the last minutes, for plots and rules. */
  readonly history: SampleHistory;
  /**
   * Say whether `reason` (an open notebook, a visible sidebar) needs data.
   * The monitor runs while any reason does.
   */
  setDemand(reason: string, needed: boolean): void;
  /**
   * Ask for a sample now, through the monitor's poll; nothing happens while
   * monitoring is stopped or paused, and a running tick is awaited.
   */
  requestSample(): Promise<void>;
  /**
   * Send a checkpoint request with the next sample call, now; that sample's
   * `checkpoint_request_result` says whether each request file was written.
   */
  requestCheckpoint(request: ICheckpointRequest): Promise<void>;
  /** The checkpoint paths or globs whose newest file the probe reports. */
  setCheckpointGlobs(globs: string[]): void;
  /** Note user input; it keeps monitoring going and ends an idle pause. */
  noteActivity(): void;
}

/** The token of the resource monitor. */
export const IResourceMonitor = new Token<IResourceMonitor>(
  'jupyterlab-gpu-session:IResourceMonitor',
  'The GPU, memory, disk and kernel monitor of the session: the latest probe sample, its history and the monitor state.'
);

/** A sidebar section, or a function that makes it when first shown. */
export type SidebarSectionSource = Widget | (() => Widget | Promise<Widget>);

/** The GPU sidebar, for features that add a section to it. */
export interface IGpuSessionSidebar {
  /** The sidebar widget itself. */
  readonly widget: Widget;
  /**
   * Add a section below the monitor's own, ordered by `rank` (lower first).
   * A factory is called when the sidebar is first shown, so its code can be
   * a chunk fetched then. The section is disposed with the sidebar.
   */
  addSection(section: SidebarSectionSource, rank?: number): void;
}

/** The token of the GPU sidebar. */
export const IGpuSessionSidebar = new Token<IGpuSessionSidebar>(
  'jupyterlab-gpu-session:IGpuSessionSidebar',
  'The GPU sidebar; other features add their sections (templates, countdown) to it.'
);

/** The session countdown, for features that act before the end. */
export interface ISessionClock {
  /** Emitted on every change of the countdown (at least each second). */
  readonly changed: ISignal<ISessionClock, void>;
  /** Both clocks (hard end, idle cut-off) and which ends first. */
  readonly countdown: ICountdown;
  /** The countdown's settings in force (warning minutes, checkpoint globs). */
  readonly settings: Readonly<ICountdownSettingsValues>;
}

/** The token of the session countdown. */
export const ISessionClock = new Token<ISessionClock>(
  'jupyterlab-gpu-session:ISessionClock',
  'The session countdown: when the hard end and the idle cut-off come, from presets, detection, the server and interruption notices.'
);

/** What a consumer reads of the warning list. */
export interface IWarningListReader {
  /** The warnings, raised or snoozed, newest first. */
  readonly warnings: ReadonlyArray<IWarning>;
  /** Emitted after any change. */
  readonly changed: ISignal<IWarningListReader, void>;
  /** Emitted when a warning is raised (not when it is updated). */
  readonly raised: ISignal<IWarningListReader, IWarning>;
}

/** The session's warning list, for features that raise warnings of their own. */
export interface IGpuSessionWarnings {
  /** The list: its warnings, snoozes and dismissals. */
  readonly list: IWarningListReader;
  /**
   * Hand in what `source` finds now: new warnings are raised, known ones
   * updated in place, and those of `source` not handed in again cleared.
   */
  update(source: string, findings: IWarningFinding[]): void;
}

/** The token of the warning list. */
export const IGpuSessionWarnings = new Token<IGpuSessionWarnings>(
  'jupyterlab-gpu-session:IGpuSessionWarnings',
  'Resource-waste and risk warnings: one list with its lifecycle (raise once, update, clear, snooze, dismiss), shown in the sidebar, as notifications and on the status bar.'
);
