/**
 * Chooses the transport for each sample: a subshell of the active
 * notebook's kernel where it has them, else the monitor kernel.
 */
import { IProbeTransport, ProbeOutcome, TransportKind } from './outcome';
import { IProbeRequest } from './protocol';
import { TransportSetting } from './settings';
import { SubshellTransport } from './subshell';

/** What the monitor kernel may do when no notebook is open. */
export interface INoNotebookPolicy {
  /** Whether no notebook is open in the page. */
  noNotebook: () => boolean;
  /** The `monitorKernelWithoutNotebook` setting, read on each request. */
  allowed: () => boolean;
}

/** The error shown while the setting keeps the monitor kernel off. */
export const NO_NOTEBOOK_NO_KERNEL =
  'No notebook is open, and the setting "Start a monitor kernel with no notebook open" is off: open a notebook to see its numbers.';

/** Picks a transport per request and lets go of the other one. */
export class AutoTransport implements IProbeTransport {
  /**
   * @param _subshell - the subshell transport.
   * @param _monitorKernel - the monitor-kernel transport.
   * @param _setting - the `transport` setting, read on each request.
   * @param _noNotebook - whether a monitor kernel may start with no
   *   notebook open; by default it may.
   */
  constructor(
    private readonly _subshell: SubshellTransport,
    private readonly _monitorKernel: IProbeTransport,
    private readonly _setting: () => TransportSetting,
    private readonly _noNotebook: INoNotebookPolicy = {
      noNotebook: () => false,
      allowed: () => true
    }
  ) {}

  /** Where the last request went; null before the first. */
  get kind(): TransportKind | null {
    return this._kind;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** Which transport the next request would use. */
  choose(): TransportKind {
    const setting = this._setting();
    if (setting === 'auto') {
      return this._subshell.canServe() ? 'subshell' : 'monitor-kernel';
    }
    return setting;
  }

  async request(
    request: IProbeRequest,
    timeoutMs: number
  ): Promise<ProbeOutcome> {
    const kind = this.choose();
    if (
      kind === 'monitor-kernel' &&
      this._noNotebook.noNotebook() &&
      !this._noNotebook.allowed()
    ) {
      // Nothing holds a kernel: the one we started is shut down too.
      void this._monitorKernel.stop();
      this._kind = null;
      return { kind: 'unavailable', error: NO_NOTEBOOK_NO_KERNEL };
    }
    if (kind !== this._kind) {
      // Only one holds anything at a time: no second kernel runs while
      // the subshell serves, and no subshell lingers in a kernel we left.
      void (kind === 'subshell' ? this._monitorKernel : this._subshell).stop();
      this._kind = kind;
    }
    return kind === 'subshell'
      ? this._subshell.request(request, timeoutMs)
      : this._monitorKernel.request(request, timeoutMs);
  }

  async stop(): Promise<void> {
    await Promise.all([this._subshell.stop(), this._monitorKernel.stop()]);
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._subshell.dispose();
    this._monitorKernel.dispose();
  }

  private _kind: TransportKind | null = null;
  private _isDisposed = false;
}
