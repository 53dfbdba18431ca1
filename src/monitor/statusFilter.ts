/**
 * Keeps a notebook kernel's status indicators free of the monitor's own
 * subshell requests.
 *
 * #### Notes
 * ipykernel publishes busy/idle on IOPub for every request, subshell ones
 * included, and every connection to the kernel receives them. JupyterLab
 * 4.6 (`KernelConnection._handleMessage`) sets the connection's status from
 * any status message unless its parent's `msg_type` is listed in the page
 * option `untracked_message_types`; it does not look at `subshell_id`. So a
 * sample taken while a cell runs would flip the notebook to "idle" for the
 * rest of the cell. The connection emits `anyMessage` synchronously, before
 * it handles the message in a later microtask: there the parent type of a
 * status message answering one of our own requests is renamed to a type
 * that the page option lists, and the indicator never sees it.
 */
import { PageConfig } from '@jupyterlab/coreutils';
import { Kernel, KernelMessage } from '@jupyterlab/services';
import { IDisposable } from '@lumino/disposable';

/** The parent type our status messages are given; listed as untracked. */
export const OWN_STATUS_PARENT = 'jupyterlab_gpu_session_probe';

/** Hides the status messages of requests whose ids `isOwn` knows. */
export class OwnStatusFilter implements IDisposable {
  /**
   * @param _kernel - the notebook kernel's connection.
   * @param _isOwn - whether a parent message id is one of our requests.
   */
  constructor(
    private readonly _kernel: Kernel.IKernelConnection,
    private readonly _isOwn: (msgId: string) => boolean
  ) {
    listUntracked();
    _kernel.anyMessage.connect(this._onMessage, this);
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._kernel.anyMessage.disconnect(this._onMessage, this);
  }

  private _onMessage(
    _: Kernel.IKernelConnection,
    args: Kernel.IAnyMessageArgs
  ): void {
    const msg = args.msg;
    if (
      args.direction === 'recv' &&
      msg.channel === 'iopub' &&
      msg.header.msg_type === 'status'
    ) {
      const parent = msg.parent_header as Partial<KernelMessage.IHeader>;
      if (parent && parent.msg_id && this._isOwn(parent.msg_id)) {
        (parent as { msg_type: string }).msg_type = OWN_STATUS_PARENT;
      }
    }
  }

  private _isDisposed = false;
}

/** Add our parent type to the page's untracked message types, once. */
function listUntracked(): void {
  let listed: unknown;
  try {
    listed = JSON.parse(
      PageConfig.getOption('untracked_message_types') || '[]'
    );
  } catch {
    listed = [];
  }
  const types = Array.isArray(listed) ? (listed as unknown[]) : [];
  if (!types.includes(OWN_STATUS_PARENT)) {
    PageConfig.setOption(
      'untracked_message_types',
      JSON.stringify([...types, OWN_STATUS_PARENT])
    );
  }
}
