/**
 * A minimal stand-in for a kernel connection that runs code in a real
 * Python process: `execute_request` code is exec'd in one namespace and
 * `user_expressions` are evaluated to their repr, as ipykernel does. It lets
 * the transport's generated Python (loader and call) run for real in jest.
 */
import { ChildProcessWithoutNullStreams, spawn } from 'child_process';
import * as readline from 'readline';
import { Signal } from '@lumino/signaling';

const MINI_KERNEL = `
import json, sys, traceback
namespace = {"__name__": "__main__"}
for line in sys.stdin:
    request = json.loads(line)
    reply = {"status": "ok", "user_expressions": {}}
    try:
        exec(request.get("code", ""), namespace)
    except Exception as error:
        reply = {"status": "error", "ename": type(error).__name__, "evalue": str(error)}
    if reply["status"] == "ok":
        for name, expression in request.get("user_expressions", {}).items():
            try:
                value = eval(expression, namespace)
                reply["user_expressions"][name] = {"status": "ok", "data": {"text/plain": repr(value)}}
            except Exception as error:
                reply["user_expressions"][name] = {"status": "error", "ename": type(error).__name__, "evalue": str(error)}
    if request.get("restart"):
        namespace.clear()
        sys.modules.pop("_jupyterlab_gpu_session_probe", None)
    print(json.dumps(reply), flush=True)
`;

/** The parts of a kernel connection the transport uses. */
export class PythonKernel {
  constructor(readonly name = 'python3') {
    this._process = spawn('python3', ['-c', MINI_KERNEL]);
    readline
      .createInterface({ input: this._process.stdout })
      .on('line', line => this._pending.shift()?.(JSON.parse(line)));
  }

  readonly id: string = `fake-${Math.random().toString(16).slice(2)}`;
  status = 'idle';
  connectionStatus = 'connected';
  /** Emits the kernel status, as a kernel connection does. */
  readonly statusChanged = new Signal<this, string>(this);
  reconnectCount = 0;
  isDisposed = false;
  shutdownCount = 0;
  /** Code of every execute request, in order. */
  readonly executed: string[] = [];
  /** The names of every execute request's user expressions, in order. */
  readonly expressions: string[][] = [];
  /** Milliseconds to hold each reply back, to simulate a slow kernel. */
  delayMs = 0;
  private _dropNext = false;

  requestExecute(content: {
    code: string;
    user_expressions?: Record<string, string>;
  }): { done: Promise<{ content: unknown }> } {
    this.executed.push(content.code);
    this.expressions.push(Object.keys(content.user_expressions ?? {}));
    if (this._dropNext) {
      // Lost on the way: the kernel never sees it and stays idle.
      this._dropNext = false;
      return { done: new Promise(() => undefined) };
    }
    if (this.status === 'idle') {
      this.setStatus('busy');
    }
    const done = new Promise<{ content: unknown }>(resolve => {
      this._pending.push(reply => {
        setTimeout(() => {
          if (this.status === 'busy') {
            this.setStatus('idle');
          }
          resolve({ content: reply });
        }, this.delayMs);
      });
    });
    this._process.stdin.write(
      JSON.stringify({ ...content, restart: this._restartNext }) + '\n'
    );
    this._restartNext = false;
    return { done };
  }

  /** Lose the next request on the way to the kernel: no reply, ever. */
  dropNextRequest(): void {
    this._dropNext = true;
  }

  /** Change the status and tell listeners, as a kernel connection does. */
  setStatus(status: string): void {
    this.status = status;
    this.statusChanged.emit(status);
  }

  /**
   * Lose the connection: pending requests are never answered (their
   * replies are dropped), as when the server goes away.
   */
  loseConnection(status = 'connecting'): void {
    this.connectionStatus = status;
    this._pending = this._pending.map(() => () => undefined);
  }

  async reconnect(): Promise<void> {
    this.reconnectCount++;
  }

  /** Forget everything after the next request, as a kernel restart does. */
  restartAfterNextRequest(): void {
    this._restartNext = true;
  }

  async shutdown(): Promise<void> {
    this.shutdownCount++;
    this.status = 'dead';
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this.isDisposed = true;
    this._process.kill();
    Signal.clearData(this);
  }

  private _process: ChildProcessWithoutNullStreams;
  private _pending: ((reply: unknown) => void)[] = [];
  private _restartNext = false;
}
