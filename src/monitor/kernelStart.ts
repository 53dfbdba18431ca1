/**
 * Whether the active notebook's kernel has not yet said if it has
 * subshells: its session or kernel is still starting, or its kernel-info
 * reply has not come.
 *
 * #### Notes
 * A kernel connection learns `supportsSubshells` from the kernel-info reply
 * (JupyterLab sets it right where it resolves `kernel.info`); until then it
 * reads `false`. Through a gateway that reply takes seconds, and a transport
 * that took `false` at its word would start a monitor kernel (one more pod
 * on a per-pod gateway) only to shut it down when the reply comes.
 */
import { Kernel } from '@jupyterlab/services';

/** What is read of a notebook's session context (`ISessionContext`). */
export interface ISessionLike {
  /** The session, once the server has made it. */
  readonly session: {
    readonly kernel: Kernel.IKernelConnection | null;
  } | null;
  /**
   * 'initializing' or 'starting' while a kernel is on its way; 'unknown'
   * with "No Kernel" chosen. (`hasNoKernel` does not tell them apart: it
   * is true until a kernel is there.)
   */
  readonly kernelDisplayStatus: string;
  /** Whether the notebook was closed. */
  readonly isDisposed: boolean;
}

/** Remembers, per kernel connection, whether its kernel info has come. */
export class KernelInfoWatch {
  /**
   * Whether `kernel`'s kernel-info reply has come (or failed, which also
   * settles the question: no subshells).
   */
  answered(kernel: Kernel.IKernelConnection): boolean {
    const known = this._answered.get(kernel);
    if (known !== undefined) {
      return known;
    }
    this._answered.set(kernel, false);
    // `supportsSubshells` is set in the same turn that resolves `info`,
    // so it is final by the time this runs.
    const settle = () => this._answered.set(kernel, true);
    kernel.info.then(settle, settle);
    return false;
  }

  private _answered = new WeakMap<Kernel.IKernelConnection, boolean>();
}

/**
 * A key for the kernel start the active notebook is waiting on, or null
 * when it waits on none (no notebook, "No Kernel", a dead kernel, or a
 * kernel that has answered). The key changes with the notebook and the
 * kernel, so each start gets its own bounded wait.
 *
 * @param notebookId - an id of the notebook (its panel's id).
 * @param context - the notebook's session context, if any.
 * @param watch - what is known of kernel-info replies.
 */
export function kernelStartKey(
  notebookId: string,
  context: ISessionLike | null,
  watch: KernelInfoWatch
): string | null {
  if (!context || context.isDisposed) {
    return null;
  }
  const kernel = context.session?.kernel ?? null;
  if (kernel) {
    if (kernel.isDisposed || kernel.status === 'dead') {
      return null;
    }
    return watch.answered(kernel) ? null : `${notebookId}:${kernel.id}`;
  }
  const status = context.kernelDisplayStatus;
  return status === 'initializing' || status === 'starting'
    ? `${notebookId}:`
    : null;
}
