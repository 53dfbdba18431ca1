/**
 * The monitor kernel: a kernel of a notebook's kernelspec, shared by the
 * page, that runs the probe where neither a subshell of the notebook's
 * kernel (subshell.ts) nor the server (serverTransport.ts) can. The probe
 * is loaded once, then asked through our shell handler (sampleRequest.ts).
 */
import { Kernel, ServerConnection } from '@jupyterlab/services';
import { StartBackoff } from './backoff';
import {
  connectOrStartMonitorKernel,
  IMonitorKernelServices,
  IMonitorKernelTransportOptions,
  releaseMonitorKernel,
  releaseOnUnload
} from './monitorKernelStart';
import {
  CLOSED,
  IProbeTransport,
  ProbeOutcome,
  TransportKind
} from './outcome';
import {
  errorMessage,
  LoadedProbe,
  mainShellExecutor,
  ProbeSource,
  lostRequestOutcome,
  OutcomeError
} from './probeCall';
import { handlerLoaderContent, handlerOrExecute } from './sampleRequest';
import { IProbeRequest } from './protocol';
import { RequestGate } from './requestGate';
import { MonitorKernelRegistry } from './registry';
import {
  checkKernelOnServer,
  KernelPresence,
  silenceOutcome
} from './serverKernels';

/** Runs the probe in a dedicated monitor kernel. */
export class MonitorKernelTransport implements IProbeTransport {
  /**
   * @param services - the server's kernel and kernelspec managers.
   * @param probeSource - the Python source of probe.py.
   * @param preferredSpec - the active notebook's kernelspec name, if any.
   * @param options - registry, clock and timing; defaults suit a page.
   */
  constructor(
    private readonly _services: IMonitorKernelServices,
    private readonly _probeSource: ProbeSource,
    private readonly _preferredSpec: () => string | null,
    options: IMonitorKernelTransportOptions = {}
  ) {
    this._now = options.now ?? Date.now;
    this._registry =
      options.registry ??
      new MonitorKernelRegistry(null, 'memory', 'tab', this._now);
    this._checkKernel =
      options.checkKernel ??
      (id => checkKernelOnServer(this._services.kernels.serverSettings, id));
    this._shareWindowMs = options.shareWindowMs ?? 60_000;
    this._backoff = new StartBackoff(
      this._now,
      options.backoffMs ?? 2_000,
      options.maxBackoffMs ?? 60_000
    );
    this._settleMs = options.settleMs ?? 5_000;
    this._isMonitor = options.isMonitor;
  }

  /** Where the probe runs: always a monitor kernel. */
  readonly kind: TransportKind = 'monitor-kernel';

  /** The monitor kernel's id, when one is running. */
  get kernelId(): string | null {
    return this._kernel?.id ?? null;
  }

  /** The registry of monitor kernels this transport records in. */
  get registry(): MonitorKernelRegistry {
    return this._registry;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  async request(
    request: IProbeRequest,
    timeoutMs: number
  ): Promise<ProbeOutcome> {
    if (this._isDisposed) {
      return CLOSED;
    }
    const outcome = await this._gate.send(
      this._kernel,
      () => this._run(request),
      timeoutMs
    );
    if (outcome.kind === 'sample') {
      if (this._kernel) {
        this._registry.touch(this._kernel.id);
      }
      if (this._notice) {
        const notice = this._notice;
        this._notice = null;
        return { ...outcome, notice };
      }
    }
    return outcome;
  }

  /**
   * Let go of the monitor kernel: shut it down, unless another tab of this
   * browser used it recently (then it is that tab's to shut down).
   */
  async stop(): Promise<void> {
    // A start still in flight sees the new epoch and lets its kernel go.
    this._epoch++;
    this._starting = null;
    const kernel = this._kernel;
    this._forget();
    if (!kernel) {
      return;
    }
    await releaseMonitorKernel(this._registry, kernel, this._shareWindowMs);
  }

  /**
   * The page is going away: shut the monitor kernel down with a request
   * that outlives the page (`keepalive`), unless another tab uses it.
   * Synchronous, for `pagehide`.
   */
  stopOnUnload(): void {
    // A start in flight keeps its `pending:` record: the next page claims
    // the kernel the server may still be starting.
    const kernel = this._kernel;
    if (!kernel) {
      return;
    }
    releaseOnUnload(
      this._registry,
      kernel.id,
      this._shareWindowMs,
      this._services.kernels.serverSettings
    );
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    void this.stop();
  }

  private async _run(request: IProbeRequest): Promise<ProbeOutcome> {
    let kernel: Kernel.IKernelConnection;
    try {
      kernel = await this._ensureKernel();
    } catch (reason) {
      if (reason instanceof OutcomeError) {
        return reason.outcome;
      }
      if (reason instanceof ServerConnection.NetworkError) {
        return { kind: 'disconnected', error: errorMessage(reason) };
      }
      return this._kernel
        ? this._lostRequest(this._kernel, reason)
        : { kind: 'unavailable', error: errorMessage(reason) };
    }
    const execute = mainShellExecutor(kernel);
    const lost = (reason: unknown) => this._lostRequest(kernel, reason);
    return this._probe.sample(
      execute,
      request,
      lost,
      handlerOrExecute({
        kernel,
        subshellId: null,
        execute,
        where: 'the monitor kernel',
        lost
      })
    );
  }

  private async _ensureKernel(): Promise<Kernel.IKernelConnection> {
    const current = this._kernel;
    if (current && !current.isDisposed && current.status !== 'dead') {
      if (current.connectionStatus !== 'connected') {
        await this._checkCurrent(current);
      }
      if (this._kernel === current) {
        if (
          current.status === 'autorestarting' ||
          current.status === 'restarting'
        ) {
          throw new OutcomeError({
            kind: 'waiting',
            error: 'The monitor kernel is restarting.'
          });
        }
        await this._ensureLoaded(current);
        return current;
      }
    } else if (current) {
      this._registry.remove(current.id);
      this._forget();
      this._notice =
        'The monitor kernel was shut down or died outside this page; a new one was started.';
    }
    const waiting = this._backoff.waiting();
    if (waiting) {
      throw new OutcomeError(waiting);
    }
    let kernel: Kernel.IKernelConnection;
    try {
      // One start at a time, whoever asks.
      if (!this._starting) {
        const starting = this._connectOrStart().finally(() => {
          if (this._starting === starting) {
            this._starting = null;
          }
        });
        this._starting = starting;
      }
      kernel = await this._starting;
    } catch (reason) {
      if (
        reason instanceof OutcomeError ||
        reason instanceof ServerConnection.NetworkError
      ) {
        throw reason;
      }
      this._backoff.failed(errorMessage(reason));
      throw reason;
    }
    this._backoff.succeeded();
    await this._ensureLoaded(kernel);
    return kernel;
  }

  /**
   * No answer in time: a slow kernel, or a server that went away without
   * closing the connection (network lost, laptop lid closed), which only
   * a question to the server tells apart.
   */
  private async _noAnswer(
    target: Kernel.IKernelConnection | null
  ): Promise<ProbeOutcome> {
    const kernel = target ?? this._kernel;
    return kernel
      ? silenceOutcome(this._checkKernel, kernel.id)
      : { kind: 'timeout' };
  }

  /**
   * The connection to the current kernel is down: find out whether the
   * server or only the kernel is gone.
   */
  private async _checkCurrent(kernel: Kernel.IKernelConnection): Promise<void> {
    const presence = await this._checkKernel(kernel.id);
    if (presence === 'unreachable') {
      throw new OutcomeError({
        kind: 'disconnected',
        error: 'The server cannot be reached.'
      });
    }
    if (presence === 'gone') {
      this._registry.remove(kernel.id);
      this._forget();
      kernel.dispose();
      this._notice =
        'The monitor kernel was shut down or died outside this page; a new one was started.';
      return;
    }
    // The kernel is there; the connection will come back (or is told to).
    if (kernel.connectionStatus === 'disconnected') {
      void kernel.reconnect().catch(() => undefined);
    }
    throw new OutcomeError({
      kind: 'waiting',
      error: 'Reconnecting to the monitor kernel.'
    });
  }

  /** Find or start the monitor kernel (see `connectOrStartMonitorKernel`). */
  private async _connectOrStart(): Promise<Kernel.IKernelConnection> {
    const epoch = this._epoch;
    const kernel = await connectOrStartMonitorKernel({
      services: this._services,
      registry: this._registry,
      preferredSpec: this._preferredSpec,
      shareWindowMs: this._shareWindowMs,
      now: this._now,
      ownPending: this._ownPending,
      settleMs: this._settleMs,
      isMonitor: this._isMonitor,
      wanted: () => epoch === this._epoch && !this._isDisposed
    });
    this._adopt(kernel);
    return kernel;
  }

  private _adopt(kernel: Kernel.IKernelConnection): void {
    this._kernel = kernel;
    this._probe.reset();
    kernel.statusChanged.connect(this._onStatus, this);
  }

  private _onStatus(
    kernel: Kernel.IKernelConnection,
    status: Kernel.Status
  ): void {
    // Compared by id: the sender may be the connection or its kernel.
    if (kernel.id !== this._kernel?.id) {
      return;
    }
    if (status === 'autorestarting' || status === 'restarting') {
      // A restarted kernel has lost the probe module.
      this._probe.reset();
      this._notice =
        status === 'autorestarting'
          ? 'The monitor kernel stopped (killed or crashed) and the server restarted it.'
          : 'The monitor kernel was restarted.';
    }
  }

  /**
   * A request that failed without a reply: a future cancelled by a kernel
   * restart or a lost connection is a wait, not a broken monitor.
   */
  private _lostRequest(
    kernel: Kernel.IKernelConnection,
    reason: unknown
  ): ProbeOutcome {
    return lostRequestOutcome(
      kernel,
      reason,
      'The monitor kernel is restarting.'
    );
  }

  private _forget(): void {
    const kernel = this._kernel;
    if (kernel && !kernel.isDisposed) {
      kernel.statusChanged.disconnect(this._onStatus, this);
    }
    this._kernel = null;
    this._probe.reset();
    this._gate.clear();
  }

  private async _ensureLoaded(kernel: Kernel.IKernelConnection): Promise<void> {
    await this._probe.ensure(mainShellExecutor(kernel));
  }

  private _now: () => number;
  private _registry: MonitorKernelRegistry;
  private _checkKernel: (id: string) => Promise<KernelPresence>;
  private _shareWindowMs: number;
  private _backoff: StartBackoff;
  private _settleMs: number;
  private _isMonitor?: (model: Kernel.IModel) => Promise<boolean>;
  private _epoch = 0;
  private _starting: Promise<Kernel.IKernelConnection> | null = null;
  private _ownPending = new Set<string>();
  private _notice: string | null = null;
  private _kernel: Kernel.IKernelConnection | null = null;
  private _probe = new LoadedProbe(
    () => handlerLoaderContent(this._probeSource),
    'the monitor kernel'
  );
  private _gate = new RequestGate<Kernel.IKernelConnection>(
    {
      // A request that is still starting a kernel is not orphaned: a
      // second one would start a second kernel.
      orphaned: sent => {
        const kernel = sent ?? this._kernel;
        return (
          !this._starting &&
          (!kernel ||
            kernel !== this._kernel ||
            kernel.isDisposed ||
            kernel.connectionStatus !== 'connected')
        );
      },
      noAnswer: kernel => this._noAnswer(kernel),
      // Only our one request runs in a monitor kernel: overdue while it
      // idles, it was lost on the way (docs/remote-kernels.md: a gateway).
      lost: sent => {
        const kernel = sent ?? this._kernel;
        return !!kernel && kernel.status === 'idle';
      }
    },
    () => this._now()
  );
  private _isDisposed = false;
}
