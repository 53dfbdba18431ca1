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
import { decodeReply } from './parser';
import { IProbeRequest, IProbeSample } from './protocol';
import { chooseMonitorKernelspec, NO_PYTHON_KERNELSPEC } from './kernelspec';
import { MonitorKernelRegistry } from './registry';

/** The name of the module the probe is loaded as inside the kernel. */
export const PROBE_MODULE = '_jupyterlab_gpu_session_probe';

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

/** What the server says about one kernel id. */
export type KernelPresence = 'running' | 'gone' | 'unreachable';

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
      const kernel = this._inFlightKernel;
      const orphaned =
        !kernel ||
        kernel !== this._kernel ||
        kernel.isDisposed ||
        kernel.connectionStatus !== 'connected';
      if (!orphaned) {
        return { kind: 'busy' };
      }
      this._inFlight = null;
    }
    const tag = ++this._sequence;
    const work = this._run(request, tag);
    this._inFlight = work;
    this._inFlightKernel = this._kernel;
    // The slot frees only when the kernel really answers, so a slow kernel
    // never gets a second request queued behind the first.
    void work.finally(() => {
      if (this._inFlight === work) {
        this._inFlight = null;
      }
    });
    const outcome = await Private.withTimeout(work, timeoutMs);
    // A reply that arrives after a newer request was sent is dropped.
    if (outcome === null || tag !== this._sequence) {
      return { kind: 'timeout' };
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
    this._registry.remove(kernel.id);
    if (!kernel.isDisposed) {
      try {
        await kernel.shutdown();
      } catch {
        // Best effort: the server may already be gone.
      }
      kernel.dispose();
    }
  }

  /**
   * The page is going away: shut the monitor kernel down with a request
   * that outlives the page (`keepalive`), unless another tab uses it.
   * Synchronous, for `pagehide`.
   */
  stopOnUnload(): void {
    const kernel = this._kernel;
    if (!kernel) {
      return;
    }
    this._registry.leave(kernel.id);
    if (this._registry.usedElsewhere(kernel.id, this._shareWindowMs)) {
      return;
    }
    this._registry.remove(kernel.id);
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
      kernel = await this._connectOrStart();
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
   * Reuse a monitor kernel this browser started before (another tab, or a
   * page that was reloaded or crashed) when the server still runs it, shut
   * down the extra ones, and start a new kernel only when none is left.
   */
  private async _connectOrStart(): Promise<Kernel.IKernelConnection> {
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
    const records = this._registry.read();
    const pending = records.filter(r => r.id.startsWith(Private.PENDING));
    if (records.length) {
      await kernels.refreshRunning();
      const running = new Map(
        Array.from(kernels.running()).map(model => [model.id, model])
      );
      const owned = new Set<string>();
      if (this._services.sessions) {
        await this._services.sessions.refreshRunning();
        for (const session of this._services.sessions.running()) {
          if (session.kernel) {
            owned.add(session.kernel.id);
          }
        }
      }
      let reused: Kernel.IModel | null = null;
      // A page that went away while its kernel was starting left a pending
      // record and, on the server, a kernel nobody ever connected to:
      // claim one such kernel instead of starting another.
      if (pending.length) {
        pending.forEach(record => this._registry.remove(record.id));
        const known = new Set(records.map(r => r.id));
        const orphan = Array.from(running.values()).find(
          model =>
            !known.has(model.id) &&
            !owned.has(model.id) &&
            model.name === name &&
            model.connections === 0
        );
        if (orphan) {
          this._registry.add(orphan.id, name);
          records.unshift({ id: orphan.id, spec: name, users: {} });
        }
      }
      for (const record of records) {
        if (record.id.startsWith(Private.PENDING)) {
          continue;
        }
        const model = running.get(record.id);
        if (!model || owned.has(record.id)) {
          // Gone, or now a notebook's kernel (someone picked it in the
          // kernel selector): no longer ours either way.
          this._registry.remove(record.id);
          continue;
        }
        if (!reused && model.name === name) {
          reused = model;
          continue;
        }
        // One monitor kernel per page is enough: an extra one (a race of
        // two tabs, a page that crashed) goes unless another tab uses it.
        if (!this._registry.usedElsewhere(record.id, this._shareWindowMs)) {
          this._registry.remove(record.id);
          void Private.shutdownById(kernels, record.id);
        }
      }
      if (reused) {
        const kernel = kernels.connectTo({ model: reused, handleComms: false });
        this._registry.touch(reused.id);
        this._adopt(kernel);
        return kernel;
      }
    }
    const marker = `${Private.PENDING}${Math.random().toString(36).slice(2)}`;
    this._registry.add(marker, name);
    let kernel: Kernel.IKernelConnection;
    try {
      kernel = await kernels.startNew({ name }, { handleComms: false });
    } finally {
      this._registry.remove(marker);
    }
    if (this._isDisposed) {
      void kernel.shutdown().catch(() => undefined);
      throw new Error('The monitor was closed.');
    }
    this._registry.add(kernel.id, name);
    this._adopt(kernel);
    return kernel;
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
        code: Private.loaderCode(this._probeSource),
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
          user_expressions: { sample: Private.callExpression(request) }
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
    const result = Private.readExpressionResult(
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
  private _shareWindowMs: number;
  private _backoffMs: number;
  private _maxBackoffMs: number;
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

/**
 * Ask the server whether a kernel exists, with `no_track_activity` so the
 * question never counts as activity.
 */
export async function checkKernelOnServer(
  settings: ServerConnection.ISettings,
  id: string
): Promise<KernelPresence> {
  const url = `${settings.baseUrl.replace(/\/$/, '')}/api/kernels/${encodeURIComponent(id)}?no_track_activity=1`;
  try {
    const response = await ServerConnection.makeRequest(url, {}, settings);
    if (response.status === 404) {
      return 'gone';
    }
    // Anything else (200, a 5xx from a proxy) does not prove the kernel
    // is gone; a proxy's 502/503 means the server is not reachable.
    return response.status === 502 || response.status === 503
      ? 'unreachable'
      : 'running';
  } catch {
    return 'unreachable';
  }
}

namespace Private {
  /** The id prefix of a record written while a kernel starts. */
  export const PENDING = 'pending:';

  /** An outcome thrown from deep inside to end a request early. */
  export class Outcome {
    constructor(readonly outcome: ProbeOutcome) {}
  }

  /** Shut a kernel down by id, best effort. */
  export async function shutdownById(
    kernels: Kernel.IManager,
    id: string
  ): Promise<void> {
    try {
      await kernels.shutdown(id);
    } catch {
      // Already gone, or the server is away: nothing more to do.
    }
  }

  /** A user expression's result as ipykernel sends it. */
  export interface IUserExpressionResult {
    status: 'ok' | 'error';
    data?: { [mime: string]: unknown };
    ename?: string;
    evalue?: string;
  }

  /** Read a user expression result without trusting its shape. */
  export function readExpressionResult(
    value: unknown
  ): IUserExpressionResult | undefined {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return undefined;
    }
    const record = value as { [key: string]: unknown };
    const text = (key: string) =>
      typeof record[key] === 'string' ? (record[key] as string) : undefined;
    const data = record['data'];
    return {
      status: record['status'] === 'ok' ? 'ok' : 'error',
      data:
        typeof data === 'object' && data !== null && !Array.isArray(data)
          ? (data as { [mime: string]: unknown })
          : undefined,
      ename: text('ename'),
      evalue: text('evalue')
    };
  }

  /** Base64 of a UTF-8 string, so it can sit in any Python literal. */
  export function toBase64(text: string): string {
    const bytes = new TextEncoder().encode(text);
    let binary = '';
    for (let i = 0; i < bytes.length; i += 0x8000) {
      binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    }
    return btoa(binary);
  }

  /**
   * Code that loads the probe as a module without running its `__main__`
   * block: a kernel's `__name__` is `"__main__"`, a fresh module's is not.
   */
  export function loaderCode(source: string): string {
    return [
      'def _gpu_session_load(source):',
      '    import base64, sys, types',
      `    module = types.ModuleType(${JSON.stringify(PROBE_MODULE)})`,
      '    module.__file__ = "jupyterlab_gpu_session/probe.py"',
      '    code = compile(base64.b64decode(source).decode("utf-8"), module.__file__, "exec")',
      '    exec(code, module.__dict__)',
      '    sys.modules[module.__name__] = module',
      `_gpu_session_load("${toBase64(source)}")`,
      'del _gpu_session_load'
    ].join('\n');
  }

  /**
   * The user expression that takes one sample. Arguments travel as base64
   * JSON, so no value (a path with quotes, say) can change the code.
   */
  export function callExpression(request: IProbeRequest): string {
    // Null means "the probe's default": leave it out, so a probe that does
    // not know a newer argument still answers.
    const args = toBase64(
      JSON.stringify(
        Object.fromEntries(
          Object.entries(request).filter(([, value]) => value !== null)
        )
      )
    );
    return (
      `__import__("sys").modules[${JSON.stringify(PROBE_MODULE)}].sample_b64(` +
      `**__import__("json").loads(__import__("base64").b64decode("${args}")))`
    );
  }

  /** Resolve with the promise's value, or null after `ms`. */
  export function withTimeout<T>(
    promise: Promise<T>,
    ms: number
  ): Promise<T | null> {
    return new Promise<T | null>(resolve => {
      const timer = setTimeout(() => resolve(null), ms);
      void promise.then(
        value => {
          clearTimeout(timer);
          resolve(value);
        },
        () => {
          clearTimeout(timer);
          resolve(null);
        }
      );
    });
  }

  export function message(reason: unknown): string {
    return reason instanceof Error ? reason.message : String(reason);
  }
}
