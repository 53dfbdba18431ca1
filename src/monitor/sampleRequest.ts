/**
 * Samples through the shell handler the loader registers in ipykernel
 * (`SAMPLE_REQUEST`), on a kernel's main shell or one of its subshells.
 *
 * #### Notes
 * A sample by handler runs no cell: no execute machinery, no user hooks,
 * and its busy/idle carry a parent type the server does not track. It is
 * also about half the kernel's CPU of a silent execute (2-3 ms against
 * 4-4.5 ms per sample, measured with ipykernel 7.4 in docs/benchmarks.md),
 * which is what each user of a shared node pays for every sample. A kernel
 * without shell handlers (another language, an old ipykernel) keeps the
 * silent execute.
 */
import { Kernel, KernelMessage } from '@jupyterlab/services';
import {
  loaderExpression,
  readExpressionResult,
  SAMPLE_REPLY,
  SAMPLE_REQUEST,
  SERVED_EXPRESSION
} from './kernelCode';
import { decodeReply } from './parser';
import {
  callProbe,
  CallFn,
  ExecuteFn,
  ProbeCallResult,
  ProbeSource,
  probeSourceText,
  silentContent,
  UserExpressions
} from './probeCall';
import { ProbeOutcome } from './outcome';
import { IProbeRequest } from './protocol';

/**
 * The execute content that loads the probe and registers the handler; it
 * binds no name in the kernel's namespace, and its `served` expression
 * says whether the handler is there.
 */
export async function handlerLoaderContent(
  source: ProbeSource
): Promise<KernelMessage.IExecuteRequestMsg['content']> {
  return silentContent('', {
    load: loaderExpression(await probeSourceText(source)),
    served: SERVED_EXPRESSION
  });
}

/** Whether the loading reply says the shell handler is registered. */
export function servesSampleRequests(loaded: UserExpressions): boolean {
  const result = readExpressionResult(loaded['served']);
  return result?.status === 'ok' && result.data?.['text/plain'] === 'True';
}

/** Where and how samples go, for `handlerOrExecute`. */
export interface ISampleTarget {
  /** The kernel connection. */
  kernel: Kernel.IKernelConnection;
  /** The subshell, or null for the kernel's main shell. */
  subshellId: string | null;
  /** The silent execute on the same shell, for kernels without a handler. */
  execute: ExecuteFn;
  /** Names the kernel in messages ("the monitor kernel"). */
  where: string;
  /** Turns a request that failed without a reply into an outcome. */
  lost: (reason: unknown) => ProbeOutcome;
  /** Our message ids while they are in flight (status filtering). */
  own?: Set<string>;
}

/**
 * The call that takes a sample on `target`: by handler when the loader
 * registered it, else by silent execute.
 */
export function handlerOrExecute(target: ISampleTarget): CallFn {
  return (request, loaded) =>
    servesSampleRequests(loaded)
      ? requestSample(target, request)
      : callProbe(target.execute, request, target.where, target.lost);
}

/** One sample through the handler. */
export async function requestSample(
  target: ISampleTarget,
  request: IProbeRequest
): Promise<ProbeCallResult> {
  const { kernel, own } = target;
  const msg = KernelMessage.createMessage({
    msgType: SAMPLE_REQUEST as 'execute_request',
    channel: 'shell',
    username: kernel.username,
    session: kernel.clientId,
    ...(target.subshellId === null ? {} : { subshellId: target.subshellId }),
    content: { args: withoutNulls(request) } as never
  });
  const id = msg.header.msg_id;
  own?.add(id);
  let reply: KernelMessage.IShellMessage;
  try {
    reply = await kernel.sendShellMessage(msg, true, true).done;
  } catch (reason) {
    return { kind: 'done', outcome: target.lost(reason) };
  } finally {
    own?.delete(id);
  }
  const content = reply.content as {
    status?: unknown;
    sample?: unknown;
    ename?: unknown;
    evalue?: unknown;
  };
  if (
    (reply.header.msg_type as string) !== SAMPLE_REPLY ||
    content.status !== 'ok'
  ) {
    const error = `The probe failed in ${target.where}: ${String(content.ename ?? reply.header.msg_type)}: ${String(content.evalue ?? '')}`;
    return content.ename === 'KeyError'
      ? { kind: 'missing-module', error }
      : { kind: 'done', outcome: { kind: 'invalid', error } };
  }
  if (typeof content.sample !== 'string') {
    return {
      kind: 'done',
      outcome: { kind: 'invalid', error: 'The probe returned no text.' }
    };
  }
  const parsed = decodeReply(`'${content.sample}'`);
  return {
    kind: 'done',
    outcome: parsed.ok
      ? { kind: 'sample', sample: parsed.sample }
      : { kind: 'invalid', error: parsed.error }
  };
}

/** The request without its null values (the probe's defaults apply). */
export function withoutNulls(request: IProbeRequest): object {
  return Object.fromEntries(
    Object.entries(request).filter(([, value]) => value !== null)
  );
}
