/**
 * Finding or starting the monitor kernel: reuse one this browser (or
 * another) left, clean up what earlier pages left behind, start a new one
 * only when none is left.
 */
import { URLExt } from '@jupyterlab/coreutils';
import {
  Kernel,
  KernelSpec,
  ServerConnection,
  Session
} from '@jupyterlab/services';
import { findMonitorKernel, PENDING_PREFIX } from './discovery';
import { chooseMonitorKernelspec, NO_PYTHON_KERNELSPEC } from './kernelspec';
import { OutcomeError } from './probeCall';
import { MonitorKernelRegistry } from './registry';
import { deleteOnUnload, KernelPresence, newKernelId } from './serverKernels';

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

/** What a start needs from the transport that asks for it. */
export interface IMonitorKernelStart {
  services: IMonitorKernelServices;
  registry: MonitorKernelRegistry;
  /** The active notebook's kernelspec name, if any. */
  preferredSpec: () => string | null;
  shareWindowMs: number;
  now: () => number;
  /** `pending:` records of this page's own starts in flight. */
  ownPending: Set<string>;
  settleMs: number;
  isMonitor?: (model: Kernel.IModel) => Promise<boolean>;
  /** False once the transport was stopped or closed since the start began. */
  wanted: () => boolean;
}

/**
 * Reuse a monitor kernel (this browser's, or one another browser left),
 * clean up what earlier pages left behind, and start a new kernel only
 * when none is left (see `findMonitorKernel`). Throws an `OutcomeError`
 * when there is nothing to start or the transport stopped meanwhile.
 */
export async function connectOrStartMonitorKernel(
  start: IMonitorKernelStart
): Promise<Kernel.IKernelConnection> {
  const specs = start.services.kernelspecs;
  await specs.ready;
  const name = chooseMonitorKernelspec(specs.specs, start.preferredSpec());
  if (!name) {
    // Not a failure worth retrying: nothing changes until kernelspecs do.
    throw new OutcomeError({
      kind: 'unavailable',
      error: NO_PYTHON_KERNELSPEC
    });
  }
  const kernels = start.services.kernels;
  const found = await findMonitorKernel({
    kernels,
    sessions: start.services.sessions,
    registry: start.registry,
    spec: name,
    isPython: spec => {
      const model = specs.specs?.kernelspecs[spec];
      return (model?.language ?? '').toLowerCase() === 'python';
    },
    shareWindowMs: start.shareWindowMs,
    now: start.now,
    ownPending: start.ownPending,
    settleMs: start.settleMs,
    isMonitor: start.isMonitor
  });
  checkWanted(start, found?.id ?? null);
  if (found) {
    const kernel = kernels.connectTo({ model: found, handleComms: false });
    return kernel;
  }
  // The page asks for the kernel's id, so a page that goes away before
  // the answer leaves a record of the very kernel the server starts.
  // (A server that ignores it is handled too; see discovery.ts.)
  const requested = newKernelId();
  const marker = PENDING_PREFIX + requested;
  start.ownPending.add(marker);
  start.registry.add(marker, name);
  let kernel: Kernel.IKernelConnection;
  try {
    kernel = await startWithId(kernels, name, requested);
  } catch (reason) {
    // A request cut off (the page unloads, the network fails) may still
    // have started the kernel: the record stays for the next page.
    if (!(reason instanceof ServerConnection.NetworkError)) {
      start.registry.remove(marker);
    }
    throw reason;
  } finally {
    start.ownPending.delete(marker);
  }
  start.registry.remove(marker);
  start.registry.add(kernel.id, name);
  checkWanted(start, kernel.id, kernel);
  return kernel;
}

/**
 * Servers (by base URL) that read a requested kernel id as "connect to
 * that existing kernel": jupyter_server's gateway client (--gateway-url)
 * does, and answers `null` when the gateway has no such kernel, which
 * JupyterLab's model check fails on ("Cannot read properties of null").
 */
const NO_REQUESTED_IDS = new Set<string>();

/**
 * Whether the server part (handlers.py) says that kernels run behind a
 * gateway; false when it does not say (no server part, an older one).
 */
async function behindGateway(
  settings: ServerConnection.ISettings
): Promise<boolean> {
  try {
    const response = await ServerConnection.makeRequest(
      URLExt.join(settings.baseUrl, 'gpu-session', 'limits'),
      {},
      settings
    );
    if (!response.ok) {
      return false;
    }
    const body = (await response.json()) as {
      kernels_remote?: { gateway?: unknown } | null;
    } | null;
    return body?.kernels_remote?.gateway === true;
  } catch {
    return false;
  }
}

/**
 * Start a kernel asking for its id; where the server answered no model for
 * a requested id, start it again without one (and never ask that server
 * again). A kernel that ignores the id is then handled like any server
 * that ignores it (discovery.ts).
 */
async function startWithId(
  kernels: Kernel.IManager,
  name: string,
  requested: string
): Promise<Kernel.IKernelConnection> {
  const settings = kernels.serverSettings as
    ServerConnection.ISettings | undefined;
  const server = settings?.baseUrl ?? '';
  if (settings && (await behindGateway(settings))) {
    NO_REQUESTED_IDS.add(server);
  }
  if (!NO_REQUESTED_IDS.has(server)) {
    try {
      return await kernels.startNew(
        { name, kernel_id: requested } as Kernel.IKernelOptions,
        { handleComms: false }
      );
    } catch (reason) {
      // An HTTP error or a network failure is the server's answer; only a
      // reply that is no kernel model at all (a 2xx `null`) means the id
      // was taken for an existing kernel.
      if (
        reason instanceof ServerConnection.ResponseError ||
        reason instanceof ServerConnection.NetworkError ||
        !(reason instanceof TypeError)
      ) {
        throw reason;
      }
      NO_REQUESTED_IDS.add(server);
    }
  }
  return kernels.startNew({ name }, { handleComms: false });
}

/**
 * After a wait: if the transport was stopped (or closed) meanwhile, let the
 * kernel just found or started go, and end the request.
 */
function checkWanted(
  start: IMonitorKernelStart,
  id: string | null,
  connection?: Kernel.IKernelConnection
): void {
  if (start.wanted()) {
    return;
  }
  if (id) {
    start.registry.leave(id);
    if (!start.registry.usedElsewhere(id, start.shareWindowMs)) {
      start.registry.remove(id);
      void shutdownQuietly(start.services.kernels, id, connection);
    }
  }
  throw new OutcomeError({
    kind: 'unavailable',
    error: 'The monitor was stopped.'
  });
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

/**
 * Let go of a monitor kernel: shut it down, unless another tab of this
 * browser used it recently (then it is that tab's to shut down).
 */
export async function releaseMonitorKernel(
  registry: MonitorKernelRegistry,
  kernel: Kernel.IKernelConnection,
  shareWindowMs: number
): Promise<void> {
  registry.leave(kernel.id);
  if (registry.usedElsewhere(kernel.id, shareWindowMs)) {
    kernel.dispose();
    return;
  }
  // Marked, not forgotten, until it is gone: a tab that starts meanwhile
  // waits for it instead of starting a second kernel or reusing this one.
  registry.markClosing(kernel.id);
  if (!kernel.isDisposed) {
    try {
      await kernel.shutdown();
    } catch {
      // Best effort: the server may already be gone.
    }
    kernel.dispose();
  }
  registry.remove(kernel.id);
}

/**
 * The page is going away: shut the monitor kernel down with a request that
 * outlives the page, unless another tab uses it. Synchronous.
 */
export function releaseOnUnload(
  registry: MonitorKernelRegistry,
  id: string,
  shareWindowMs: number,
  settings: ServerConnection.ISettings
): void {
  registry.leave(id);
  if (registry.usedElsewhere(id, shareWindowMs)) {
    return;
  }
  // The next page (a reload) waits until the server no longer lists it.
  registry.markClosing(id);
  deleteOnUnload(settings, id);
}
