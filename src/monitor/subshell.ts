/**
 * The subshell transport: the probe runs in a subshell (JEP 91) of the
 * active notebook's own kernel.
 *
 * #### Notes
 * A subshell answers while the main shell runs a cell (ipykernel >= 7), it
 * reads the kernel's own process and GPU (the only right ones when kernels
 * run remotely, one pod per kernel), and it costs no extra process. One
 * subshell per kernel, created on first use and deleted when monitoring
 * stops or the kernel changes; a restart loses it, so it is created again.
 * Requests go through the notebook's own connection with the subshell id
 * in the header; their status messages are hidden from the notebook's
 * indicators (statusFilter.ts). The probe is loaded by a user expression
 * that binds no name in the user's namespace.
 */
import { Kernel, KernelMessage } from '@jupyterlab/services';
import {
  CLOSED,
  IProbeTransport,
  ProbeOutcome,
  TransportKind
} from './outcome';
import {
  errorMessage,
  ExecuteFn,
  LoadedProbe,
  ProbeSource,
  lostRequestOutcome
} from './probeCall';
import { handlerLoaderContent, handlerOrExecute } from './sampleRequest';
import { IProbeRequest } from './protocol';
import { RequestGate } from './requestGate';
import {
  checkKernelOnServer,
  KernelPresence,
  silenceOutcome
} from './serverKernels';
import { OwnStatusFilter } from './statusFilter';

/** What is known about the subshell of one kernel connection. */
interface ISubshellState {
  kernel: Kernel.IKernelConnection;
  subshellId: Promise<string> | null;
  probe: LoadedProbe;
  filter: OwnStatusFilter;
}

/** Runs the probe in a subshell of the active notebook's kernel. */
export class SubshellTransport implements IProbeTransport {
  /**
   * @param _activeKernel - the active notebook's kernel connection, if any.
   * @param _probeSource - the Python source of probe.py.
   * @param _checkKernel - asks the server whether a kernel is there.
   */
  constructor(
    private readonly _activeKernel: () => Kernel.IKernelConnection | null,
    private readonly _probeSource: ProbeSource,
    private readonly _checkKernel: (
      kernel: Kernel.IKernelConnection
    ) => Promise<KernelPresence> = kernel =>
      checkKernelOnServer(kernel.serverSettings, kernel.id)
  ) {}

  /** Where the probe runs: always in the notebook's own kernel. */
  readonly kind: TransportKind = 'subshell';

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /**
   * Whether the active notebook's kernel can serve a sample: it says it
   * supports subshells and creating one has not failed.
   */
  canServe(): boolean {
    const kernel = this._activeKernel();
    return (
      !!kernel &&
      kernel.supportsSubshells &&
      !this._failed.has(Private.key(kernel))
    );
  }

  /** Why the active kernel cannot serve, in words; null when it can. */
  whyNot(): string | null {
    const kernel = this._activeKernel();
    if (!kernel) {
      return 'No notebook kernel is active.';
    }
    const failed = this._failed.get(Private.key(kernel));
    if (failed) {
      return failed;
    }
    return kernel.supportsSubshells
      ? null
      : "This notebook's kernel has no subshells (ipykernel 7 or later has them).";
  }

  async request(
    request: IProbeRequest,
    timeoutMs: number
  ): Promise<ProbeOutcome> {
    if (this._isDisposed) {
      return CLOSED;
    }
    const kernel = this._activeKernel();
    const why = this.whyNot();
    if (!kernel || why) {
      return { kind: 'unavailable', error: why ?? '' };
    }
    return this._gate.send(kernel, () => this._run(kernel, request), timeoutMs);
  }

  /** Delete the subshell; the next request creates a new one. */
  async stop(): Promise<void> {
    const state = this._state;
    this._state = null;
    this._gate.clear();
    if (!state) {
      return;
    }
    state.filter.dispose();
    state.kernel.statusChanged.disconnect(this._onStatus, this);
    const id = await state.subshellId?.catch(() => null);
    if (id && !state.kernel.isDisposed && state.kernel.status !== 'dead') {
      try {
        await state.kernel.requestDeleteSubshell({ subshell_id: id }, true)
          .done;
      } catch {
        // Best effort: the kernel may be gone or restarting.
      }
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
    kernel: Kernel.IKernelConnection,
    request: IProbeRequest
  ): Promise<ProbeOutcome> {
    if (
      kernel.status === 'restarting' ||
      kernel.status === 'autorestarting' ||
      kernel.connectionStatus !== 'connected'
    ) {
      return { kind: 'waiting', error: "The notebook's kernel is restarting." };
    }
    if (this._state && this._state.kernel !== kernel) {
      // Another kernel (or connection): its subshell is not ours to use.
      await this.stop();
    }
    const state = this._state ?? this._adopt(kernel);
    let subshellId: string;
    try {
      state.subshellId = state.subshellId ?? this._create(state);
      subshellId = await state.subshellId;
    } catch (reason) {
      state.subshellId = null;
      return lostRequestOutcome(
        kernel,
        reason,
        "The notebook's kernel is restarting."
      );
    }
    const execute = this._executor(kernel, subshellId);
    const lost = (reason: unknown) =>
      lostRequestOutcome(
        kernel,
        reason,
        "The notebook's kernel is restarting."
      );
    const outcome = await state.probe.sample(
      execute,
      { ...request, self_kernel_id: kernel.id },
      lost,
      handlerOrExecute({
        kernel,
        subshellId,
        execute,
        where: "the notebook's kernel",
        lost,
        own: this._own
      })
    );
    if (outcome.kind === 'invalid' && /subshell/i.test(outcome.error)) {
      // The kernel no longer knows the subshell (restarted unseen).
      state.subshellId = null;
      state.probe.reset();
      return { kind: 'waiting', error: 'The subshell is being created again.' };
    }
    return outcome;
  }

  private _adopt(kernel: Kernel.IKernelConnection): ISubshellState {
    const state: ISubshellState = {
      kernel,
      subshellId: null,
      probe: new LoadedProbe(
        () => handlerLoaderContent(this._probeSource),
        "the notebook's kernel"
      ),
      filter: new OwnStatusFilter(kernel, id => this._own.has(id))
    };
    kernel.statusChanged.connect(this._onStatus, this);
    this._state = state;
    return state;
  }

  private async _create(state: ISubshellState): Promise<string> {
    const kernel = state.kernel;
    let reply: KernelMessage.ICreateSubshellReplyMsg;
    try {
      const future = kernel.requestCreateSubshell({}, true);
      this._own.add(future.msg.header.msg_id);
      reply = await future.done;
      this._own.delete(future.msg.header.msg_id);
    } catch (reason) {
      if (
        kernel.connectionStatus !== 'connected' ||
        (kernel.status !== 'idle' && kernel.status !== 'busy')
      ) {
        throw reason;
      }
      this._fail(kernel, `Creating a subshell failed: ${errorMessage(reason)}`);
      throw reason;
    }
    const content = reply.content as {
      status?: string;
      subshell_id?: unknown;
      evalue?: string;
    };
    if (content.status !== 'ok' || typeof content.subshell_id !== 'string') {
      const error = `The kernel claims subshells but could not create one: ${content.evalue ?? content.status ?? 'no answer'}`;
      this._fail(kernel, error);
      throw new Error(error);
    }
    return content.subshell_id;
  }

  /** Remember that `kernel` cannot serve, so `auto` falls back. */
  private _fail(kernel: Kernel.IKernelConnection, error: string): void {
    this._failed.set(Private.key(kernel), error);
  }

  private _executor(
    kernel: Kernel.IKernelConnection,
    subshellId: string
  ): ExecuteFn {
    return content => {
      const msg = KernelMessage.createMessage({
        msgType: 'execute_request',
        channel: 'shell',
        username: kernel.username,
        session: kernel.clientId,
        subshellId,
        content
      });
      const id = msg.header.msg_id;
      this._own.add(id);
      const future = kernel.sendShellMessage(msg, true, true);
      return (future.done as Promise<KernelMessage.IExecuteReplyMsg>).finally(
        // The idle status comes before `done`; later ones are not ours.
        () => this._own.delete(id)
      );
    };
  }

  private _onStatus(
    kernel: Kernel.IKernelConnection,
    status: Kernel.Status
  ): void {
    const state = this._state;
    if (!state || kernel.id !== state.kernel.id) {
      return;
    }
    if (
      status === 'restarting' ||
      status === 'autorestarting' ||
      status === 'dead'
    ) {
      // A restart loses the subshell and the module loaded in it.
      state.subshellId = null;
      state.probe.reset();
      this._gate.clear();
    }
  }

  private _state: ISubshellState | null = null;
  private _own = new Set<string>();
  private _failed = new Map<string, string>();
  private _gate = new RequestGate<Kernel.IKernelConnection>({
    orphaned: kernel =>
      !kernel ||
      kernel !== this._state?.kernel ||
      kernel.isDisposed ||
      kernel.connectionStatus !== 'connected',
    // A slow kernel, or a server gone without closing the connection (a
    // lost network): only a question to the server tells them apart.
    noAnswer: async kernel =>
      kernel
        ? silenceOutcome(() => this._checkKernel(kernel), kernel.id)
        : { kind: 'timeout' }
  });
  private _isDisposed = false;
}

namespace Private {
  /** A kernel connection's failures are remembered per kernel id. */
  export function key(kernel: Kernel.IKernelConnection): string {
    return kernel.id;
  }
}
