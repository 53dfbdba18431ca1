/**
 * What the page knows about its notebooks, as the monitor sees it, and the
 * probe request it makes of that.
 */
import { IProbeRequest } from './protocol';
import { IMonitorSettings } from './settings';

/** Kernel states in which a kernel's numbers cannot be read. */
export const KERNEL_AWAY = new Set([
  'restarting',
  'autorestarting',
  'starting',
  'dead',
  'terminating',
  'unknown'
]);

/** What the page knows about its notebooks, set by the plugin. */
export interface INotebookContext {
  /** Whether any notebook is open. */
  notebookOpen: boolean;
  /** The active notebook's kernel id, when it has a kernel. */
  activeKernelId: string | null;
  /** The active notebook's path, for labels. */
  activeNotebookPath: string | null;
  /** The kernel ids of all open notebooks; the probe reports each. */
  kernelIds: string[];
  /** The active notebook kernel's status (`idle`, `busy`, `restarting`...). */
  activeKernelStatus?: string | null;
  /** Whether a kernel of this page is running code. */
  anyKernelBusy?: boolean;
}

/** The context before the plugin says anything. */
export const NO_NOTEBOOK: INotebookContext = {
  notebookOpen: false,
  activeKernelId: null,
  activeNotebookPath: null,
  kernelIds: []
};

/** Whether two contexts say the same. */
export function sameContext(a: INotebookContext, b: INotebookContext): boolean {
  return (
    a.notebookOpen === b.notebookOpen &&
    a.activeKernelId === b.activeKernelId &&
    a.activeNotebookPath === b.activeNotebookPath &&
    (a.activeKernelStatus ?? null) === (b.activeKernelStatus ?? null) &&
    !!a.anyKernelBusy === !!b.anyKernelBusy &&
    a.kernelIds.length === b.kernelIds.length &&
    a.kernelIds.every((id, i) => id === b.kernelIds[i])
  );
}

/**
 * Whether a context change calls for a sample at once: another active
 * kernel, or one back from a restart (its new numbers should show now, not
 * one interval later).
 */
export function needsFreshSample(
  before: INotebookContext,
  after: INotebookContext
): boolean {
  return (
    after.activeKernelId !== before.activeKernelId ||
    (KERNEL_AWAY.has(before.activeKernelStatus ?? '') &&
      !KERNEL_AWAY.has(after.activeKernelStatus ?? ''))
  );
}

/** The probe request for one tick; null means "the probe's default". */
export function probeRequest(
  context: INotebookContext,
  settings: IMonitorSettings,
  checkpointGlobs: string[]
): IProbeRequest {
  return {
    kernel_ids: context.kernelIds,
    disks: settings.diskPaths.length ? settings.diskPaths : null,
    gpu_source: settings.gpuSource,
    nvidia_smi: settings.nvidiaSmiPath,
    checkpoint_globs: checkpointGlobs.length ? checkpointGlobs : null
  };
}
