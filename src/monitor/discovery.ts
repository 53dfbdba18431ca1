/**
 * Finding a monitor kernel to reuse before starting one, and cleaning up
 * what earlier pages left behind.
 *
 * #### Notes
 * What a page can leave on the server, and what the next start does:
 * - a kernel it recorded and that still runs (a crash, another tab): the
 *   first one of the right kernelspec is reused, extra ones shut down
 *   unless another tab used them within the share window;
 * - a kernel it was shutting down when it went away (a reload sends a
 *   `keepalive` DELETE; the record says `closing`): waited for until the
 *   server no longer lists it, then shut down again if it is still there,
 *   so a reload never shows two monitor kernels at once;
 * - a kernel whose start it asked for and never connected to (a reload
 *   mid-start; the record is `pending:<kernel id>`, the id the page asked
 *   the server to use): claimed when the server runs it. Servers that
 *   ignore a requested id give the kernel another id; then one kernel of
 *   the same kernelspec that nobody is connected to and nobody recorded is
 *   claimed instead;
 * - a monitor kernel of another browser (no record at all): found by the
 *   probe module loaded in it (`isMonitorKernel`), among kernels with no
 *   session and no connection, and reused or shut down.
 * A kernel that has a session belongs to a notebook or a console and is
 * never touched; one with a connection belongs to a live page.
 */
import { Kernel, ServerConnection, Session } from '@jupyterlab/services';
import { MonitorKernelRegistry } from './registry';
import {
  isMonitorKernel,
  listKernelsOnServer,
  sessionKernelsOnServer,
  shutdownById
} from './serverKernels';

/** The id prefix of a record written while a kernel starts. */
export const PENDING_PREFIX = 'pending:';

/** What `findMonitorKernel` works with. */
export interface IDiscoveryOptions {
  kernels: Kernel.IManager;
  /** Kernels with a session belong to notebooks and consoles. */
  sessions?: Session.IManager;
  registry: MonitorKernelRegistry;
  /** The kernelspec the monitor kernel should run. */
  spec: string;
  /** Whether a kernelspec is a Python one (only those can be monitors). */
  isPython: (spec: string) => boolean;
  /** Another tab's use within this time keeps an extra kernel alive. */
  shareWindowMs: number;
  now: () => number;
  /** Pending records of this page itself (a start still in flight). */
  ownPending?: ReadonlySet<string>;
  /** How long to wait for closing kernels to go and pending ones to come. */
  settleMs?: number;
  /** How long a kernel may take to say whether it is a monitor kernel. */
  markerTimeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** Ask a kernel whether the probe is loaded in it; tests replace it. */
  isMonitor?: (model: Kernel.IModel) => Promise<boolean>;
}

/** A start younger than this may not have reached the server's list yet. */
const PENDING_FRESH_MS = 15_000;
/** The wait between two looks at the server's kernel list. */
const SETTLE_STEP_MS = 250;
/** At most this many unknown kernels are asked whether they are monitors. */
const MAX_MARKER_CHECKS = 8;

/**
 * Clean up what earlier pages left, and return the monitor kernel to
 * reuse (recorded as this tab's), or null when a new one must be started.
 */
export async function findMonitorKernel(
  options: IDiscoveryOptions
): Promise<Kernel.IModel | null> {
  const { kernels, registry, spec } = options;
  const sleep =
    options.sleep ??
    ((ms: number) => new Promise<void>(resolve => setTimeout(resolve, ms)));
  const ownPending = options.ownPending ?? new Set<string>();
  const view = new Private.ServerView(kernels, options.sessions);
  let listed = await view.refresh();

  // Kernels being shut down and kernels being started by pages that went
  // away: wait (briefly) until the server's list says how they ended.
  const tries = Math.ceil((options.settleMs ?? 5000) / SETTLE_STEP_MS);
  for (let attempt = 0; ; attempt++) {
    // Without the server's list nothing can be told settled.
    let unsettled = !listed;
    for (const record of listed ? registry.read() : []) {
      if (record.closing !== undefined) {
        if (!view.isFree(record.id)) {
          registry.remove(record.id);
        } else {
          unsettled = true;
        }
      } else if (
        record.id.startsWith(PENDING_PREFIX) &&
        !ownPending.has(record.id)
      ) {
        const id = record.id.slice(PENDING_PREFIX.length);
        if (view.isFree(id)) {
          registry.remove(record.id);
          registry.add(id, record.spec);
        } else if (
          options.now() - Math.max(0, ...Object.values(record.users)) <
          PENDING_FRESH_MS
        ) {
          unsettled = true;
        }
      }
    }
    if (!unsettled || attempt >= tries) {
      break;
    }
    await sleep(SETTLE_STEP_MS);
    listed = await view.refresh();
  }
  if (!listed) {
    // Deciding on an older list would take a kernel that is there for gone
    // and start a second one beside it: this start fails (and is tried
    // again) instead.
    throw view.error;
  }

  const handled = new Set<string>();
  for (const record of registry.read()) {
    if (record.closing !== undefined) {
      // The page's DELETE never arrived (or is stuck): send our own.
      registry.remove(record.id);
      handled.add(record.id);
      await shutdownById(kernels, record.id);
    } else if (
      record.id.startsWith(PENDING_PREFIX) &&
      !ownPending.has(record.id)
    ) {
      registry.remove(record.id);
      // A server that ignored the requested id: claim one kernel nobody
      // recorded and nobody is connected to.
      const known = new Set(registry.read().map(r => r.id));
      const orphan = view.models.find(
        model =>
          !known.has(model.id) &&
          view.isFree(model.id) &&
          model.name === record.spec &&
          model.connections === 0
      );
      if (orphan) {
        registry.add(orphan.id, record.spec);
      }
    }
  }

  let reused: Kernel.IModel | null = null;
  const records = registry.read();
  // The most recently used first: a reload picks up its own kernel.
  records.sort(
    (a, b) =>
      Math.max(0, ...Object.values(b.users)) -
      Math.max(0, ...Object.values(a.users))
  );
  for (const record of records) {
    if (record.id.startsWith(PENDING_PREFIX)) {
      continue;
    }
    handled.add(record.id);
    const model = view.get(record.id);
    if (!model || !view.isFree(record.id)) {
      // Gone, or now a notebook's kernel (someone picked it in the kernel
      // selector): no longer ours either way.
      registry.remove(record.id);
      continue;
    }
    if (!reused && model.name === spec) {
      reused = model;
      continue;
    }
    // One monitor kernel is enough: an extra one (a race of two tabs, a
    // page that crashed) goes unless another tab uses it.
    if (!registry.usedElsewhere(record.id, options.shareWindowMs)) {
      registry.remove(record.id);
      void shutdownById(kernels, record.id);
    }
  }

  // Monitor kernels nobody here knows of: another browser's pages.
  const isMonitor =
    options.isMonitor ??
    ((model: Kernel.IModel) =>
      isMonitorKernel(kernels, model, options.markerTimeoutMs ?? 3000));
  const unknown = view.models
    .filter(
      model =>
        !handled.has(model.id) &&
        view.isFree(model.id) &&
        model.connections === 0 &&
        options.isPython(model.name)
    )
    .slice(0, MAX_MARKER_CHECKS);
  const marked = await Promise.all(unknown.map(model => isMonitor(model)));
  unknown.forEach((model, i) => {
    if (!marked[i]) {
      return;
    }
    if (!reused && model.name === spec) {
      reused = model;
      registry.add(model.id, spec);
    } else {
      void shutdownById(kernels, model.id);
    }
  });

  if (reused) {
    registry.touch(reused.id);
  }
  return reused;
}

namespace Private {
  /**
   * The server's kernels and which of them have a session, as the server
   * lists them (not the kernel manager's copy; see `listKernelsOnServer`).
   */
  export class ServerView {
    constructor(
      private readonly _kernels: Kernel.IManager,
      private readonly _sessions: Session.IManager | undefined
    ) {}

    models: Kernel.IModel[] = [];

    /** Why the last refresh failed. */
    error: unknown = null;

    /**
     * Read the server's lists again; false (the view unchanged) when the
     * server answered with an error. A server that cannot be reached ends
     * the search at once (a `NetworkError`).
     */
    async refresh(): Promise<boolean> {
      const settings = this._kernels.serverSettings;
      try {
        const [models, owned] = await Promise.all([
          listKernelsOnServer(settings),
          this._sessions
            ? sessionKernelsOnServer(settings)
            : Promise.resolve(new Set<string>())
        ]);
        this.models = models;
        this._owned = owned;
        this.error = null;
        return true;
      } catch (reason) {
        if (reason instanceof ServerConnection.NetworkError) {
          throw reason;
        }
        if (
          reason instanceof ServerConnection.ResponseError &&
          reason.response.status === 403
        ) {
          // Listing is forbidden for good (a kernel gateway started without
          // list_kernels): no kernel can be seen, so none is reused and the
          // records are taken for gone, as before this view asked itself.
          this.models = [];
          this._owned = new Set<string>();
          this.error = null;
          return true;
        }
        this.error = reason;
        return false;
      }
    }

    get(id: string): Kernel.IModel | undefined {
      return this.models.find(model => model.id === id);
    }

    /** Running and without a session. */
    isFree(id: string): boolean {
      return !!this.get(id) && !this._owned.has(id);
    }

    private _owned = new Set<string>();
  }
}
