/**
 * Chooses the transport for each sample: a subshell of the active
 * notebook's kernel where it has them, else the Jupyter server itself where
 * it can (its part is there and kernels run on its machine), else the
 * monitor kernel.
 */
import { IProbeTransport, ProbeOutcome, TransportKind } from './outcome';
import { IProbeRequest } from './protocol';
import { ServerTransport } from './serverTransport';
import { TransportSetting } from './settings';
import { SubshellTransport } from './subshell';

/** What the monitor kernel may do when no notebook is open. */
export interface INoNotebookPolicy {
  /** Whether no notebook is open in the page. */
  noNotebook: () => boolean;
  /** The `monitorKernelWithoutNotebook` setting, read on each request. */
  allowed: () => boolean;
}

/**
 * What the auto transport knows of the active notebook's kernel start: see
 * kernelStart.ts.
 */
export interface IKernelStartPolicy {
  /**
   * A key for the kernel start the active notebook waits on (its kernel
   * has not yet said whether it has subshells), or null when none.
   */
  startKey: () => string | null;
  /** How long one start is waited for before the monitor kernel is used. */
  waitMs?: number;
  /** The clock, unix ms. */
  now?: () => number;
}

/** What the sidebar says while the notebook's kernel is starting. */
export const WAITING_FOR_KERNEL = "Waiting for the notebook's kernel to start.";

/** Said once when a start took too long and the monitor kernel took over. */
export const KERNEL_START_TOO_SLOW =
  "The notebook's kernel did not say within a minute whether it has subshells (still starting, or busy): the numbers are read in a separate monitor kernel until it does.";

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
   * @param _start - the active notebook's kernel start; by default none is
   *   waited for.
   * @param _server - the server transport; null where there is none (then
   *   `auto` never tries the server).
   */
  constructor(
    private readonly _subshell: SubshellTransport,
    private readonly _monitorKernel: IProbeTransport,
    private readonly _setting: () => TransportSetting,
    private readonly _noNotebook: INoNotebookPolicy = {
      noNotebook: () => false,
      allowed: () => true
    },
    private readonly _start: IKernelStartPolicy = { startKey: () => null },
    private readonly _server: ServerTransport | null = null
  ) {}

  /** Where the last request went; null before the first. */
  get kind(): TransportKind | null {
    return this._kind;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /**
   * Which transport the next request would use, or 'wait' while the
   * active notebook's kernel has not said whether it has subshells.
   */
  choose(): TransportKind | 'wait' {
    const setting = this._setting();
    if (setting === 'monitor-kernel' || setting === 'server') {
      return setting;
    }
    if (this._subshell.canServe()) {
      return 'subshell';
    }
    if (setting === 'auto' && this._server?.canServe()) {
      // Nothing to start: the server serves while the notebook's kernel
      // starts, and until a kernel with subshells is active.
      return 'server';
    }
    if (this._waitsForStart()) {
      // Starting nothing new: a monitor kernel already in use goes on
      // serving until the notebook's kernel answers.
      return setting === 'auto' && this._kind === 'monitor-kernel'
        ? 'monitor-kernel'
        : 'wait';
    }
    return setting === 'auto' ? 'monitor-kernel' : 'subshell';
  }

  async request(
    request: IProbeRequest,
    timeoutMs: number
  ): Promise<ProbeOutcome> {
    const kind = this.choose();
    if (kind === 'wait') {
      return { kind: 'waiting', error: WAITING_FOR_KERNEL };
    }
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
      // the subshell or the server serves, and no subshell lingers in a
      // kernel we left.
      if (kind !== 'monitor-kernel') {
        void this._monitorKernel.stop();
      }
      if (kind !== 'subshell') {
        void this._subshell.stop();
      }
      this._kind = kind;
    }
    if (kind === 'subshell') {
      return this._subshell.request(request, timeoutMs);
    }
    if (kind === 'server') {
      return this._fromServer(request, timeoutMs);
    }
    const outcome = await this._monitorKernel.request(request, timeoutMs);
    if (outcome.kind === 'sample' && this._tooSlow) {
      this._tooSlow = false;
      return { ...outcome, notice: outcome.notice ?? KERNEL_START_TOO_SLOW };
    }
    return outcome;
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
    this._server?.dispose();
  }

  /**
   * A sample from the server; where it refuses (no server part, kernels on
   * a gateway) and the setting is `auto`, the same request goes to the next
   * choice at once, so the refusal is never shown.
   */
  private async _fromServer(
    request: IProbeRequest,
    timeoutMs: number
  ): Promise<ProbeOutcome> {
    const server = this._server;
    if (!server) {
      return {
        kind: 'unavailable',
        error: 'This page cannot ask the server for samples.'
      };
    }
    const outcome = await server.request(request, timeoutMs);
    if (
      outcome.kind === 'unavailable' &&
      !server.canServe() &&
      this._setting() === 'auto'
    ) {
      return this.request(request, timeoutMs);
    }
    return outcome;
  }

  /**
   * Whether to wait for the active notebook's kernel start: only for a
   * bounded time per start (a kernel busy in a cell when the page loaded
   * answers kernel info only when the cell ends).
   */
  private _waitsForStart(): boolean {
    const key = this._start.startKey();
    if (key === null) {
      return false;
    }
    const now = (this._start.now ?? Date.now)();
    if (key !== this._startKey) {
      this._startKey = key;
      this._startSince = now;
      this._gaveUp = false;
    }
    if (this._gaveUp) {
      return false;
    }
    if (now - this._startSince < (this._start.waitMs ?? 60_000)) {
      return true;
    }
    this._gaveUp = true;
    this._tooSlow = true;
    return false;
  }

  private _kind: TransportKind | null = null;
  private _startKey: string | null = null;
  private _startSince = 0;
  private _gaveUp = false;
  private _tooSlow = false;
  private _isDisposed = false;
}
