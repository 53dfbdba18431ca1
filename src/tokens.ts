/**
 * Public interfaces, their tokens, and the stable command ids.
 */
import { Token } from '@lumino/coreutils';
import { Widget } from '@lumino/widgets';
import { ResourceMonitor } from './monitor/monitor';
import { WarningList } from './warnings/list';
import { IWarningFinding } from './warnings/types';

/** The plugin ids, one per feature. */
export namespace PluginIDs {
  export const monitor = 'jupyterlab-gpu-session:monitor';
  export const sidebar = 'jupyterlab-gpu-session:sidebar';
  export const statusItem = 'jupyterlab-gpu-session:status-item';
  export const countdown = 'jupyterlab-gpu-session:countdown';
  export const templates = 'jupyterlab-gpu-session:templates';
  export const warnings = 'jupyterlab-gpu-session:warnings';
}

/** The resource monitor shared by the sidebar, status bar and rules. */
export type IResourceMonitor = ResourceMonitor;

/** The token of the resource monitor. */
export const IResourceMonitor = new Token<IResourceMonitor>(
  'jupyterlab-gpu-session:IResourceMonitor',
  'The GPU, memory, disk and kernel monitor of the session: the latest probe sample, its history and the monitor state.'
);

/** The GPU sidebar, for features that add a section to it. */
export interface IGpuSessionSidebar {
  /** The sidebar widget itself. */
  readonly widget: Widget;
  /**
   * Add a section below the monitor's own, ordered by `rank` (lower first).
   * It is disposed with the sidebar.
   */
  addSection(section: Widget, rank?: number): void;
}

/** The token of the GPU sidebar. */
export const IGpuSessionSidebar = new Token<IGpuSessionSidebar>(
  'jupyterlab-gpu-session:IGpuSessionSidebar',
  'The GPU sidebar; other features add their sections (templates, countdown) to it.'
);

/** The template cells: the catalog and the platform it follows. */
export interface IGpuSessionTemplates {
  /** The ids of the usable templates, built-in first. */
  readonly ids: ReadonlyArray<string>;
  /**
   * Tell the templates which platform the session runs on (`colab`,
   * `kaggle`, `sagemaker-studio-lab`...; null when unknown). The `platform` setting,
   * unless `auto`, wins over it.
   */
  setDetectedPlatform(platform: string | null): void;
}

/** The token of the template cells. */
export const IGpuSessionTemplates = new Token<IGpuSessionTemplates>(
  'jupyterlab-gpu-session:IGpuSessionTemplates',
  'Template cells (Drive mounting, installs, checkpoint-safe training, environment capture, GPU check); the platform detection feeds its platform here.'
);

/** The session's warning list, for features that raise warnings of their own. */
export interface IGpuSessionWarnings {
  /** The list: its warnings, snoozes and dismissals. */
  readonly list: WarningList;
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
