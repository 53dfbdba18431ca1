/**
 * Chooses the transport for each sample: a subshell of the active
 * notebook's kernel where it has them, else the monitor kernel.
 */
import { IProbeTransport, ProbeOutcome, TransportKind } from './outcome';
import { IProbeRequest } from './protocol';
import { TransportSetting } from './settings';
import { SubshellTransport } from './subshell';

/** Picks a transport per request and lets go of the other one. */
export class AutoTransport implements IProbeTransport {
  /**
   * @param _subshell - the subshell transport.
   * @param _monitorKernel - the monitor-kernel transport.
   * @param _setting - the `transport` setting, read on each request.
   */
  constructor(
    private readonly _subshell: SubshellTransport,
    private readonly _monitorKernel: IProbeTransport,
    private readonly _setting: () => TransportSetting
  ) {}

  /** Where the last request went; null before the first. */
  get kind(): TransportKind | null {
    return this._kind;
  }

  get description(): string {
    return this._kind === 'subshell'
      ? this._subshell.description
      : this._monitorKernel.description;
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
