/**
 * Loading the probe into a kernel and calling it, over any way of sending
 * an execute request (a monitor kernel's shell, a notebook kernel's
 * subshell).
 *
 * #### Notes
 * Both steps are silent executes that store no history; the sample comes
 * back as the repr of a user expression holding base64 JSON.
 */
import { Kernel, KernelMessage } from '@jupyterlab/services';
import { callExpression, readExpressionResult } from './kernelCode';
import { decodeReply } from './parser';
import { IProbeRequest } from './protocol';
import { ProbeOutcome } from './outcome';

/** Sends one execute request and resolves with its reply. */
export type ExecuteFn = (
  content: KernelMessage.IExecuteRequestMsg['content']
) => Promise<KernelMessage.IExecuteReplyMsg>;

/** What one call of the probe gave. */
export type ProbeCallResult =
  | { kind: 'done'; outcome: ProbeOutcome }
  /** The probe module is not in the kernel (a restart lost it). */
  | { kind: 'missing-module'; error: string };

/** An outcome thrown from deep inside to end a request early. */
export class OutcomeError {
  /** @param outcome - what the request ends with. */
  constructor(readonly outcome: ProbeOutcome) {}
}

/** The text of a rejection reason. */
export function errorMessage(reason: unknown): string {
  return reason instanceof Error ? reason.message : String(reason);
}

/** Execute requests on a kernel's own (main) shell. */
export function mainShellExecutor(kernel: Kernel.IKernelConnection): ExecuteFn {
  return content => kernel.requestExecute(content, true).done;
}

/** The content of a silent execute: no history, no input, no output. */
export function silentContent(
  code: string,
  userExpressions: Record<string, string> = {}
): KernelMessage.IExecuteRequestMsg['content'] {
  return {
    code,
    silent: true,
    store_history: false,
    allow_stdin: false,
    stop_on_error: false,
    user_expressions: userExpressions
  };
}

/** The user expressions of a reply, by name. */
export type UserExpressions = { [name: string]: unknown };

/**
 * Run loader `content` through `execute`; rejects with a readable error
 * when the kernel reports one, else resolves with the reply's user
 * expressions. `where` names the kernel in messages.
 */
export async function loadProbe(
  execute: ExecuteFn,
  content: KernelMessage.IExecuteRequestMsg['content'],
  where: string
): Promise<UserExpressions> {
  const reply = await execute(content);
  const fail = (ename?: string, evalue?: string) =>
    new Error(
      `The probe could not be loaded in ${where}: ${ename ?? 'error'}: ${evalue ?? ''}`
    );
  if (reply.content.status !== 'ok') {
    const error = reply.content as KernelMessage.IReplyErrorContent;
    throw fail(error.ename, error.evalue);
  }
  // A loader sent as a user expression reports its error there.
  const expressions = reply.content.user_expressions ?? {};
  for (const value of Object.values(expressions)) {
    const result = readExpressionResult(value);
    if (result && result.status !== 'ok') {
      throw fail(result.ename, result.evalue);
    }
  }
  return expressions;
}

/** Takes one sample once the probe is loaded. */
export type CallFn = (
  request: IProbeRequest,
  loaded: UserExpressions
) => Promise<ProbeCallResult>;

/**
 * Take one sample through `execute`. A request that fails without a reply
 * is turned into an outcome by `lost`.
 */
export async function callProbe(
  execute: ExecuteFn,
  request: IProbeRequest,
  where: string,
  lost: (reason: unknown) => ProbeOutcome
): Promise<ProbeCallResult> {
  let reply: KernelMessage.IExecuteReplyMsg;
  try {
    reply = await execute(
      silentContent('', { sample: callExpression(request) })
    );
  } catch (reason) {
    return { kind: 'done', outcome: lost(reason) };
  }
  const content = reply.content;
  if (content.status !== 'ok') {
    const failed = content as Partial<KernelMessage.IReplyErrorContent>;
    const detail = failed.ename
      ? ` (${failed.ename}: ${failed.evalue ?? ''})`
      : '';
    return {
      kind: 'done',
      outcome: {
        kind: 'invalid',
        error: `${capitalise(where)} answered with status "${content.status}"${detail}.`
      }
    };
  }
  const result = readExpressionResult(
    (content.user_expressions ?? {})['sample']
  );
  if (!result || result.status !== 'ok') {
    const error = `The probe failed in ${where}: ${result?.ename ?? 'no result'}: ${result?.evalue ?? ''}`;
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

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * A request that failed without a reply: a future cancelled by a kernel
 * restart or a lost connection is a wait, not a broken monitor.
 */
export function lostRequestOutcome(
  kernel: Pick<Kernel.IKernelConnection, 'status' | 'connectionStatus'>,
  reason: unknown,
  restarting: string
): ProbeOutcome {
  const message = errorMessage(reason);
  if (
    message.startsWith('Canceled future') ||
    kernel.status === 'autorestarting' ||
    kernel.status === 'restarting' ||
    kernel.connectionStatus !== 'connected'
  ) {
    return { kind: 'waiting', error: restarting };
  }
  return { kind: 'unavailable', error: message };
}

/**
 * The probe in one kernel (or subshell): loaded once, called on each
 * sample, and loaded again when a call finds the module gone.
 */
export class LoadedProbe {
  /**
   * @param _loader - the execute content that loads the probe.
   * @param _where - names the kernel in messages ("the monitor kernel").
   */
  constructor(
    private readonly _loader: () =>
      | KernelMessage.IExecuteRequestMsg['content']
      | Promise<KernelMessage.IExecuteRequestMsg['content']>,
    private readonly _where: string
  ) {}

  /** Forget that the probe is loaded (the kernel restarted, say). */
  reset(): void {
    this._loaded = null;
  }

  /**
   * Load the probe unless it is loaded or loading; resolves with the user
   * expressions of the loading reply.
   */
  ensure(execute: ExecuteFn): Promise<UserExpressions> {
    if (!this._loaded) {
      const loading = Promise.resolve()
        .then(() => this._loader())
        .then(content => loadProbe(execute, content, this._where))
        .catch(reason => {
          if (this._loaded === loading) {
            this._loaded = null;
          }
          throw reason;
        });
      this._loaded = loading;
    }
    return this._loaded;
  }

  /**
   * Take one sample; when the module is gone (a restart the page did not
   * see), load it again and ask once more. `call` takes the sample (by
   * default a silent execute through `execute`).
   */
  async sample(
    execute: ExecuteFn,
    request: IProbeRequest,
    lost: (reason: unknown) => ProbeOutcome,
    call: CallFn = () => callProbe(execute, request, this._where, lost)
  ): Promise<ProbeOutcome> {
    let loaded: UserExpressions;
    try {
      loaded = await this.ensure(execute);
    } catch (reason) {
      return lost(reason);
    }
    const first = await call(request, loaded);
    if (first.kind !== 'missing-module') {
      return first.outcome;
    }
    this._loaded = null;
    try {
      loaded = await this.ensure(execute);
    } catch (reason) {
      return lost(reason);
    }
    const second = await call(request, loaded);
    return second.kind === 'missing-module'
      ? { kind: 'invalid', error: second.error }
      : second.outcome;
  }

  private _loaded: Promise<UserExpressions> | null = null;
}

/**
 * The probe's Python source, or a function that fetches it: the plugin
 * passes a loader, so the source (the largest part of the extension) is a
 * chunk fetched with the first sample, not at JupyterLab's start.
 */
export type ProbeSource = string | (() => Promise<string>);

/** The source itself, fetched when it is a loader. */
export function probeSourceText(source: ProbeSource): Promise<string> {
  return typeof source === 'string' ? Promise.resolve(source) : source();
}
