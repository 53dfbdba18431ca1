/**
 * The monitor kernel: a dedicated kernel that runs the probe.
 *
 * #### Notes
 * A busy kernel queues requests: an execute sent to a notebook's kernel
 * while a training cell runs waits hours. The probe therefore never goes
 * through a notebook's own shell; it runs in a separate kernel started from
 * a notebook's kernelspec (same host, same environment), shared by all
 * notebooks of the page. The probe source is loaded once per kernel and
 * then called with a silent execute whose `user_expressions` carry the
 * sample back, so nothing is printed and no history is stored.
 */
import {
  Kernel,
  KernelMessage,
  KernelSpec,
  ServerConnection,
  Session
} from '@jupyterlab/services';
import { IDisposable } from '@lumino/disposable';
import { findMonitorKernel, PENDING_PREFIX } from './discovery';
import { callExpression, loaderCode, readExpressionResult } from './kernelCode';
import { chooseMonitorKernelspec, NO_PYTHON_KERNELSPEC } from './kernelspec';
import { decodeReply } from './parser';
import { IProbeRequest, IProbeSample } from './protocol';
import { MonitorKernelRegistry } from './registry';
import {
  checkKernelOnServer,
  KernelPresence,
  newKernelId,
  withTimeout
} from './serverKernels';

export { PROBE_MODULE } from './kernelCode';
export { checkKernelOnServer, KernelPresence } from './serverKernels';

/** How long the server may take to say whether a kernel is there. */
const SERVER_CHECK_TIMEOUT_MS = 3000;

/** What one probe request came back with. */
export type ProbeOutcome =
  | {
      kind: 'sample';
      sample: IProbeSample;
      /**
       * Something the person should know about the monitor kernel that
       * happened since the last sample (it was replaced, say), once.
       */
      notice?: string;
    }
  /** The kernel answered, but the reply is not a valid sample. */
  | { kind: 'invalid'; error: string }
  /** No reply within the timeout; the request may still be running. */
  | { kind: 'timeout' }
  /** A previous request has not come back yet; nothing was sent. */
  | { kind: 'busy' }
  /** The monitor kernel is restarting or reconnecting; `error` says which. */
  | { kind: 'waiting'; error: string }
  /** The server cannot be reached. */
  | { kind: 'disconnected'; error: string }
  /** The monitor kernel could not be started or used. */
  | { kind: 'unavailable'; error: string };

/** Something that can run the probe; the monitor model depends on this. */
export interface IProbeTransport extends IDisposable {
  /** Run the probe once. Never rejects. */
  request(request: IProbeRequest, timeoutMs: number): Promise<ProbeOutcome>;
  /** Shut the monitor kernel down; a later request starts a new one. */
  stop(): Promise<void>;
  /** A one-line description of what the transport is doing, for the UI. */
  readonly description: string;
}

/** Services the kernel transport needs. */
export interface IMonitorKernelServices {
  kernels: Kernel.IManager;
  kernelspecs: KernelSpec.IManager;
  /** Kernels with a session belong to notebooks and consoles, never to us. */
  sessions?: Session.IManager;
}

/** Options of the kernel transport. */
export interface IMonitorKernelTransportOptions {
  /** Where monitor kernel ids are remembered; in memory when absent. */
  registry?: MonitorKernelRegistry;
  /** Ask the server whether a kernel still exists (never counts as activity). */
  checkKernel?: (id: string) => Promise<KernelPresence>;
  /** The clock, unix ms; injected for tests. */
  now?: () => number;
  /** Another tab's use within this time keeps the kernel alive. */
  shareWindowMs?: number;
  /** The first wait after a failed start; it doubles up to `maxBackoffMs`. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /**
   * How long a start waits for kernels that earlier pages were shutting
   * down (or starting) to settle; see `findMonitorKernel`.
   */
  settleMs?: number;
  /** Replaces the marker check of unknown kernels (tests). */
  isMonitor?: (model: Kernel.IModel) => Promise<boolean>;
}

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
    private readonly _probeSource: string,
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
    this._backoffMs = options.backoffMs ?? 2_000;
    this._maxBackoffMs = options.maxBackoffMs ?? 60_000;
    this._settleMs = options.settleMs ?? 5_000;
    this._isMonitor = options.isMonitor;
  }

  get description(): string {
    return this._kernel
      ? `monitor kernel ${this._kernel.name} (${this._kernel.id.slice(0, 8)})`
      : 'no monitor kernel';
  }

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
      return { kind: 'unavailable', error: 'The monitor was closed.' };
    }
    if (this._inFlight) {
      // A request to a kernel that has since gone (killed, shut down, or
      // its connection lost) will never be answered: let it go, or the
      // monitor would say "busy" forever.
      // A request that is still starting a kernel is not orphaned: a second
      // one would start a second kernel.
      const kernel = this._inFlightKernel ?? this._kernel;
      const orphaned =
        !this._starting &&
        (!kernel ||
          kernel !== this._kernel ||
          kernel.isDisposed ||
          kernel.connectionStatus !== 'connected');
      if (!orphaned) {
        // Still waiting past the timeout: say again whether it is the
        // server that is gone, so "disconnected" holds until it is back.
        return this._now() - this._inFlightSince > timeoutMs
          ? this._noAnswer()
          : { kind: 'busy' };
      }
      this._inFlight = null;
    }
    const tag = ++this._sequence;
    const work = this._run(request, tag);
    this._inFlight = work;
    this._inFlightKernel = this._kernel;
    this._inFlightSince = this._now();
    // The slot frees only when the kernel really answers, so a slow kernel
    // never gets a second request queued behind the first.
    void work.finally(() => {
      if (this._inFlight === work) {
        this._inFlight = null;
      }
    });
    const outcome = await withTimeout(work, timeoutMs);
    // A reply that arrives after a newer request was sent is dropped.
    if (outcome === null || tag !== this._sequence) {
      return this._noAnswer();
    }
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
    this._registry.leave(kernel.id);
    if (this._registry.usedElsewhere(kernel.id, this._shareWindowMs)) {
      kernel.dispose();
      return;
    }
    // Marked, not forgotten, until it is gone: a tab that starts meanwhile
    // waits for it instead of starting a second kernel or reusing this one.
    this._registry.markClosing(kernel.id);
    if (!kernel.isDisposed) {
      try {
        await kernel.shutdown();
      } catch {
        // Best effort: the server may already be gone.
      }
      kernel.dispose();
    }
    this._registry.remove(kernel.id);
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
    this._registry.leave(kernel.id);
    if (this._registry.usedElsewhere(kernel.id, this._shareWindowMs)) {
      return;
    }
    // The next page (a reload) waits until the server no longer lists it.
    this._registry.markClosing(kernel.id);
    const settings = this._services.kernels.serverSettings;
    const url = `${settings.baseUrl.replace(/\/$/, '')}/api/kernels/${encodeURIComponent(kernel.id)}`;
    void ServerConnection.makeRequest(
      url,
      { method: 'DELETE', keepalive: true },
      settings
    ).catch(() => undefined);
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    void this.stop();
  }

  private async _run(
    request: IProbeRequest,
    tag: number
  ): Promise<ProbeOutcome> {
    let kernel: Kernel.IKernelConnection;
    try {
      kernel = await this._ensureKernel();
    } catch (reason) {
      if (reason instanceof Private.Outcome) {
        return reason.outcome;
      }
      if (reason instanceof ServerConnection.NetworkError) {
        return { kind: 'disconnected', error: Private.message(reason) };
      }
      return this._kernel
        ? this._lostRequest(this._kernel, reason)
        : { kind: 'unavailable', error: Private.message(reason) };
    }
    const first = await this._callProbe(kernel, request);
    if (first.kind !== 'missing-module') {
      return first.outcome;
    }
    // The kernel restarted and lost the probe module: load it again.
    this._loaded = null;
    try {
      await this._ensureLoaded(kernel);
    } catch (reason) {
      return this._lostRequest(kernel, reason);
    }
    const second = await this._callProbe(kernel, request);
    return second.kind === 'missing-module'
      ? { kind: 'invalid', error: second.error }
      : second.outcome;
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
          throw new Private.Outcome({
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
    // Failed starts back off, so a server that cannot start kernels is not
    // asked again every interval.
    const wait = this._nextStartAt - this._now();
    if (this._startFailures > 0 && wait > 0) {
      throw new Private.Outcome({
        kind: 'unavailable',
        error: `${this._lastStartError} Trying again in ${Math.ceil(wait / 1000)} s.`
      });
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
        reason instanceof Private.Outcome ||
        reason instanceof ServerConnection.NetworkError
      ) {
        throw reason;
      }
      this._startFailures++;
      this._lastStartError = Private.message(reason);
      this._nextStartAt =
        this._now() +
        Math.min(
          this._backoffMs * 2 ** (this._startFailures - 1),
          this._maxBackoffMs
        );
      throw reason;
    }
    this._startFailures = 0;
    await this._ensureLoaded(kernel);
    return kernel;
  }

  /**
   * No answer in time: a slow kernel, or a server that went away without
   * closing the connection (network lost, laptop lid closed), which only
   * a question to the server tells apart.
   */
  private async _noAnswer(): Promise<ProbeOutcome> {
    const kernel = this._inFlightKernel ?? this._kernel;
    if (!kernel) {
      return { kind: 'timeout' };
    }
    const presence = await withTimeout(
      this._checkKernel(kernel.id),
      SERVER_CHECK_TIMEOUT_MS
    );
    return presence === 'running' || presence === 'gone'
      ? { kind: 'timeout' }
      : { kind: 'disconnected', error: 'The server does not answer.' };
  }

  /**
   * The connection to the current kernel is down: find out whether the
   * server or only the kernel is gone.
   */
  private async _checkCurrent(kernel: Kernel.IKernelConnection): Promise<void> {
    const presence = await this._checkKernel(kernel.id);
    if (presence === 'unreachable') {
      throw new Private.Outcome({
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
    throw new Private.Outcome({
      kind: 'waiting',
      error: 'Reconnecting to the monitor kernel.'
    });
  }

  /**
   * Reuse a monitor kernel (this browser's, or one another browser left),
   * clean up what earlier pages left behind, and start a new kernel only
   * when none is left (see `findMonitorKernel`).
   */
  private async _connectOrStart(): Promise<Kernel.IKernelConnection> {
    const epoch = this._epoch;
    const specs = this._services.kernelspecs;
    await specs.ready;
    const name = chooseMonitorKernelspec(specs.specs, this._preferredSpec());
    if (!name) {
      // Not a failure worth retrying: nothing changes until kernelspecs do.
      throw new Private.Outcome({
        kind: 'unavailable',
        error: NO_PYTHON_KERNELSPEC
      });
    }
    const kernels = this._services.kernels;
    const found = await findMonitorKernel({
      kernels,
      sessions: this._services.sessions,
      registry: this._registry,
      spec: name,
      isPython: spec => {
        const model = specs.specs?.kernelspecs[spec];
        return (model?.language ?? '').toLowerCase() === 'python';
      },
      shareWindowMs: this._shareWindowMs,
      now: this._now,
      ownPending: this._ownPending,
      settleMs: this._settleMs,
      isMonitor: this._isMonitor
    });
    this._checkEpoch(epoch, found?.id ?? null);
    if (found) {
      const kernel = kernels.connectTo({ model: found, handleComms: false });
      this._adopt(kernel);
      return kernel;
    }
    // The page asks for the kernel's id, so a page that goes away before
    // the answer leaves a record of the very kernel the server starts.
    // (A server that ignores it is handled too; see discovery.ts.)
    const requested = newKernelId();
    const marker = PENDING_PREFIX + requested;
    this._ownPending.add(marker);
    this._registry.add(marker, name);
    let kernel: Kernel.IKernelConnection;
    try {
      kernel = await kernels.startNew(
        { name, kernel_id: requested } as Kernel.IKernelOptions,
        { handleComms: false }
      );
    } catch (reason) {
      // A request cut off (the page unloads, the network fails) may still
      // have started the kernel: the record stays for the next page.
      if (!(reason instanceof ServerConnection.NetworkError)) {
        this._registry.remove(marker);
      }
      throw reason;
    } finally {
      this._ownPending.delete(marker);
    }
    this._registry.remove(marker);
    this._registry.add(kernel.id, name);
    this._checkEpoch(epoch, kernel.id, kernel);
    this._adopt(kernel);
    return kernel;
  }

  /**
   * After a wait: if the monitor was stopped (or closed) meanwhile, let the
   * kernel just found or started go, and end the request.
   */
  private _checkEpoch(
    epoch: number,
    id: string | null,
    connection?: Kernel.IKernelConnection
  ): void {
    if (epoch === this._epoch && !this._isDisposed) {
      return;
    }
    if (id) {
      this._registry.leave(id);
      if (!this._registry.usedElsewhere(id, this._shareWindowMs)) {
        this._registry.remove(id);
        void shutdownQuietly(this._services.kernels, id, connection);
      }
    }
    throw new Private.Outcome({
      kind: 'unavailable',
      error: 'The monitor was stopped.'
    });
  }

  private _adopt(kernel: Kernel.IKernelConnection): void {
    this._kernel = kernel;
    this._loaded = null;
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
      this._loaded = null;
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
    const message = Private.message(reason);
    if (
      message.startsWith('Canceled future') ||
      kernel.status === 'autorestarting' ||
      kernel.status === 'restarting' ||
      kernel.connectionStatus !== 'connected'
    ) {
      return { kind: 'waiting', error: 'The monitor kernel is restarting.' };
    }
    return { kind: 'unavailable', error: message };
  }

  private _forget(): void {
    const kernel = this._kernel;
    if (kernel && !kernel.isDisposed) {
      kernel.statusChanged.disconnect(this._onStatus, this);
    }
    this._kernel = null;
    this._loaded = null;
    this._inFlight = null;
  }

  private _ensureLoaded(kernel: Kernel.IKernelConnection): Promise<void> {
    if (!this._loaded) {
      this._loaded = this._load(kernel).catch(reason => {
        this._loaded = null;
        throw reason;
      });
    }
    return this._loaded;
  }

  private async _load(kernel: Kernel.IKernelConnection): Promise<void> {
    const future = kernel.requestExecute(
      {
        code: loaderCode(this._probeSource),
        silent: true,
        store_history: false,
        allow_stdin: false,
        stop_on_error: false
      },
      true
    );
    const reply = await future.done;
    if (reply.content.status !== 'ok') {
      const content = reply.content as KernelMessage.IReplyErrorContent;
      throw new Error(
        `The probe could not be loaded in the monitor kernel: ${content.ename ?? 'error'}: ${content.evalue ?? ''}`
      );
    }
  }

  private async _callProbe(
    kernel: Kernel.IKernelConnection,
    request: IProbeRequest
  ): Promise<
    | { kind: 'done'; outcome: ProbeOutcome }
    | { kind: 'missing-module'; error: string }
  > {
    let reply: KernelMessage.IExecuteReplyMsg;
    try {
      const future = kernel.requestExecute(
        {
          code: '',
          silent: true,
          store_history: false,
          allow_stdin: false,
          stop_on_error: false,
          user_expressions: { sample: callExpression(request) }
        },
        true
      );
      reply = await future.done;
    } catch (reason) {
      return { kind: 'done', outcome: this._lostRequest(kernel, reason) };
    }
    const content = reply.content;
    if (content.status !== 'ok') {
      return {
        kind: 'done',
        outcome: {
          kind: 'invalid',
          error: `The monitor kernel answered with status "${content.status}".`
        }
      };
    }
    const result = readExpressionResult(
      (content.user_expressions ?? {})['sample']
    );
    if (!result || result.status !== 'ok') {
      const error = `The probe failed in the monitor kernel: ${result?.ename ?? 'no result'}: ${result?.evalue ?? ''}`;
      return result?.ename === 'KeyError' || result?.ename === 'NameError'
        ? { kind: 'missing-module', error }
        : { kind: 'done', outcome: { kind: 'invalid', error } };
    }
    const text = result.data?.['text/plain'];
    if (typeof text !== 'string') {
      return {
        kind: 'done',
        outcome: { kind: 'invalid', error: 'The probe returned no text.' }
      };
    }
    const parsed = decodeReply(text);
    return {
      kind: 'done',
      outcome: parsed.ok
        ? { kind: 'sample', sample: parsed.sample }
        : { kind: 'invalid', error: parsed.error }
    };
  }

  private _now: () => number;
  private _registry: MonitorKernelRegistry;
  private _checkKernel: (id: string) => Promise<KernelPresence>;
  private _inFlightSince = 0;
  private _shareWindowMs: number;
  private _backoffMs: number;
  private _maxBackoffMs: number;
  private _settleMs: number;
  private _isMonitor?: (model: Kernel.IModel) => Promise<boolean>;
  private _epoch = 0;
  private _starting: Promise<Kernel.IKernelConnection> | null = null;
  private _ownPending = new Set<string>();
  private _startFailures = 0;
  private _nextStartAt = 0;
  private _lastStartError = '';
  private _notice: string | null = null;
  private _kernel: Kernel.IKernelConnection | null = null;
  private _loaded: Promise<void> | null = null;
  private _inFlight: Promise<ProbeOutcome> | null = null;
  private _inFlightKernel: Kernel.IKernelConnection | null = null;
  private _sequence = 0;
  private _isDisposed = false;
}

/** Shut a kernel down through its connection, or by id; best effort. */
async function shutdownQuietly(
  kernels: Kernel.IManager,
  id: string,
  connection?: Kernel.IKernelConnection
): Promise<void> {
  try {
    await (connection ? connection.shutdown() : kernels.shutdown(id));
  } catch {
    // Already gone, or the server is away.
  }
  connection?.dispose();
}

namespace Private {
  /** An outcome thrown from deep inside to end a request early. */
  export class Outcome {
    constructor(readonly outcome: ProbeOutcome) {}
  }

  export function message(reason: unknown): string {
    return reason instanceof Error ? reason.message : String(reason);
  }
}
