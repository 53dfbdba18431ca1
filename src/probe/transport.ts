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
import { Kernel, KernelMessage, KernelSpec } from '@jupyterlab/services';
import { IDisposable } from '@lumino/disposable';
import { decodeReply } from './parser';
import { IProbeRequest, IProbeSample } from './protocol';
import { chooseMonitorKernelspec, NO_PYTHON_KERNELSPEC } from './kernelspec';

/** The name of the module the probe is loaded as inside the kernel. */
export const PROBE_MODULE = '_jupyterlab_gpu_session_probe';

/** What one probe request came back with. */
export type ProbeOutcome =
  | { kind: 'sample'; sample: IProbeSample }
  /** The kernel answered, but the reply is not a valid sample. */
  | { kind: 'invalid'; error: string }
  /** No reply within the timeout; the request may still be running. */
  | { kind: 'timeout' }
  /** A previous request has not come back yet; nothing was sent. */
  | { kind: 'busy' }
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
}

/** Runs the probe in a dedicated monitor kernel. */
export class MonitorKernelTransport implements IProbeTransport {
  /**
   * @param services - the server's kernel and kernelspec managers.
   * @param probeSource - the Python source of probe.py.
   * @param preferredSpec - the active notebook's kernelspec name, if any.
   */
  constructor(
    private readonly _services: IMonitorKernelServices,
    private readonly _probeSource: string,
    private readonly _preferredSpec: () => string | null
  ) {}

  get description(): string {
    return this._kernel
      ? `monitor kernel ${this._kernel.name} (${this._kernel.id.slice(0, 8)})`
      : 'no monitor kernel';
  }

  /** The monitor kernel's id, when one is running. */
  get kernelId(): string | null {
    return this._kernel?.id ?? null;
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
      return { kind: 'busy' };
    }
    const tag = ++this._sequence;
    const work = this._run(request, tag);
    this._inFlight = work;
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
    return outcome;
  }

  async stop(): Promise<void> {
    const kernel = this._kernel;
    this._kernel = null;
    this._loaded = null;
    if (kernel && !kernel.isDisposed) {
      try {
        await kernel.shutdown();
      } catch {
        // Best effort: the server may already be gone.
      }
      kernel.dispose();
    }
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
      return { kind: 'unavailable', error: Private.message(reason) };
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
      return { kind: 'unavailable', error: Private.message(reason) };
    }
    const second = await this._callProbe(kernel, request);
    return second.kind === 'missing-module'
      ? { kind: 'invalid', error: second.error }
      : second.outcome;
  }

  private async _ensureKernel(): Promise<Kernel.IKernelConnection> {
    const current = this._kernel;
    if (current && !current.isDisposed && current.status !== 'dead') {
      await this._ensureLoaded(current);
      return current;
    }
    if (current) {
      current.dispose();
      this._kernel = null;
      this._loaded = null;
    }
    const specs = this._services.kernelspecs;
    await specs.ready;
    const name = chooseMonitorKernelspec(specs.specs, this._preferredSpec());
    if (!name) {
      throw new Error(NO_PYTHON_KERNELSPEC);
    }
    const kernel = await this._services.kernels.startNew(
      { name },
      { handleComms: false }
    );
    if (this._isDisposed) {
      void kernel.shutdown().catch(() => undefined);
      throw new Error('The monitor was closed.');
    }
    this._kernel = kernel;
    await this._ensureLoaded(kernel);
    return kernel;
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
      return {
        kind: 'done',
        outcome: { kind: 'unavailable', error: Private.message(reason) }
      };
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

  private _kernel: Kernel.IKernelConnection | null = null;
  private _loaded: Promise<void> | null = null;
  private _inFlight: Promise<ProbeOutcome> | null = null;
  private _sequence = 0;
  private _isDisposed = false;
}

namespace Private {
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
