/**
 * Small questions and orders about the server's kernels that the monitor
 * kernel's life cycle needs: is a kernel still there, is it a monitor
 * kernel, shut it down.
 */
import { Kernel, ServerConnection } from '@jupyterlab/services';
import { MARKER_EXPRESSION, readExpressionResult } from './kernelCode';
import { ProbeOutcome } from './outcome';

/** What the server says about one kernel id. */
export type KernelPresence = 'running' | 'gone' | 'unreachable';

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

/**
 * The server's kernels, as the server lists them now, with
 * `no_track_activity`. Throws when the server does not answer with a list.
 *
 * #### Notes
 * The kernel manager's `running()` is no substitute: `refreshRunning()`
 * resolves without asking the server while its poll stands by (a hidden
 * page, a page JupyterLab takes for disconnected) and keeps the last list
 * when the request fails, so a kernel started since looks absent.
 */
export async function listKernelsOnServer(
  settings: ServerConnection.ISettings
): Promise<Kernel.IModel[]> {
  const body = await getList(settings, 'kernels');
  return body.filter(
    (model): model is Kernel.IModel =>
      typeof model === 'object' &&
      model !== null &&
      typeof (model as Kernel.IModel).id === 'string' &&
      typeof (model as Kernel.IModel).name === 'string'
  );
}

/**
 * The ids of the kernels that have a session on the server (notebooks,
 * consoles), asked with `no_track_activity`. Throws as `listKernelsOnServer`.
 */
export async function sessionKernelsOnServer(
  settings: ServerConnection.ISettings
): Promise<Set<string>> {
  const ids = new Set<string>();
  for (const session of await getList(settings, 'sessions')) {
    const id = (session as { kernel?: { id?: unknown } | null } | null)?.kernel
      ?.id;
    if (typeof id === 'string') {
      ids.add(id);
    }
  }
  return ids;
}

async function getList(
  settings: ServerConnection.ISettings,
  what: 'kernels' | 'sessions'
): Promise<unknown[]> {
  const url = `${settings.baseUrl.replace(/\/$/, '')}/api/${what}?no_track_activity=1`;
  const response = await ServerConnection.makeRequest(url, {}, settings);
  if (!response.ok) {
    throw await ServerConnection.ResponseError.create(response);
  }
  const body: unknown = await response.json();
  if (!Array.isArray(body)) {
    throw new Error(`The server's ${what} list is not a list.`);
  }
  return body;
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

/**
 * Whether a running kernel has the probe loaded: a monitor kernel left by
 * a page of another browser (or one whose record was lost). One silent
 * execute, so it runs nothing visible and stores no history; a kernel that
 * does not answer within `timeoutMs` (busy, or not Python after all) is
 * taken for someone else's.
 */
export async function isMonitorKernel(
  kernels: Kernel.IManager,
  model: Kernel.IModel,
  timeoutMs: number
): Promise<boolean> {
  let connection: Kernel.IKernelConnection | null = null;
  try {
    connection = kernels.connectTo({ model, handleComms: false });
    const future = connection.requestExecute(
      {
        code: '',
        silent: true,
        store_history: false,
        allow_stdin: false,
        stop_on_error: false,
        user_expressions: { marker: MARKER_EXPRESSION }
      },
      true
    );
    const reply = await withTimeout(future.done, timeoutMs);
    if (!reply || reply.content.status !== 'ok') {
      return false;
    }
    const result = readExpressionResult(
      (reply.content.user_expressions ?? {})['marker']
    );
    return result?.status === 'ok' && result.data?.['text/plain'] === 'True';
  } catch {
    return false;
  } finally {
    // Dropping the connection leaves the kernel running.
    connection?.dispose();
  }
}

/** A new kernel id, chosen by the page (a version 4 UUID). */
export function newKernelId(random: () => number = Math.random): string {
  const hex = (n: number) =>
    Array.from({ length: n }, () =>
      Math.floor(random() * 16).toString(16)
    ).join('');
  const variant = (8 + Math.floor(random() * 4)).toString(16);
  return `${hex(8)}-${hex(4)}-4${hex(3)}-${variant}${hex(3)}-${hex(12)}`;
}

/** Resolve with the promise's value, or null after `ms` (or on failure). */
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

/**
 * Shut a kernel down with a request that outlives the page (`keepalive`);
 * synchronous, for `pagehide`. Best effort.
 */
export function deleteOnUnload(
  settings: ServerConnection.ISettings,
  id: string
): void {
  const url = `${settings.baseUrl.replace(/\/$/, '')}/api/kernels/${encodeURIComponent(id)}`;
  void ServerConnection.makeRequest(
    url,
    { method: 'DELETE', keepalive: true },
    settings
  ).catch(() => undefined);
}

/** How long the server may take to say whether a kernel is there. */
const SERVER_CHECK_TIMEOUT_MS = 3000;

/**
 * No answer in time: a slow kernel, or a server that went away without
 * closing the connection (network lost, laptop lid closed), which only a
 * question to the server tells apart.
 */
export async function silenceOutcome(
  check: (id: string) => Promise<KernelPresence>,
  kernelId: string
): Promise<ProbeOutcome> {
  const presence = await withTimeout(check(kernelId), SERVER_CHECK_TIMEOUT_MS);
  return presence === 'running' || presence === 'gone'
    ? { kind: 'timeout' }
    : { kind: 'disconnected', error: 'The server does not answer.' };
}
