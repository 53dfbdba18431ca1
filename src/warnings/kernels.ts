/**
 * What the warnings remember of notebook kernels: since when each is idle,
 * the last numbers seen of each (to explain a death), and recent deaths.
 * Bounded: only the newest `capacity` kernels and deaths are kept.
 */
import { IProbeSample } from '../monitor/protocol';
import { IKernelActivity, IKernelDeath, IKernelLastSeen } from './types';

/** Kernel statuses that mean the kernel process died. */
const DEATH_STATUSES = new Set(['autorestarting', 'dead']);

/** Per-kernel memory of the page. */
export class KernelTracker {
  constructor(readonly capacity = 32) {}

  /**
   * Record a kernel's status (`idle`, `busy`, `autorestarting`, `dead`...).
   * `autorestarting` (the server restarted a kernel whose process died) and
   * `dead` record a death with the last numbers seen of that kernel.
   */
  setStatus(kernelId: string, path: string, status: string, now: number): void {
    const known = this._kernels.get(kernelId);
    const previous = known?.status ?? null;
    if (previous === status) {
      return;
    }
    const entry = known ?? { status, idleSince: null, last: null, path };
    entry.path = path;
    entry.status = status;
    if (status === 'idle') {
      entry.idleSince = entry.idleSince ?? now;
    } else if (status === 'busy') {
      entry.idleSince = null;
    }
    if (
      DEATH_STATUSES.has(status) &&
      !(previous !== null && DEATH_STATUSES.has(previous))
    ) {
      entry.idleSince = null;
      this._deaths.push({ kernelId, path, at: now, last: entry.last });
      if (this._deaths.length > this.capacity) {
        this._deaths.shift();
      }
    }
    this._touch(kernelId, entry);
  }

  /** Keep the numbers of each kernel in `sample`. */
  recordSample(sample: IProbeSample, now: number): void {
    const host = sample.host;
    const limit = host.memory_limit_bytes ?? host.memory_total_bytes;
    const ramPercent =
      host.memory_used_bytes !== null && limit
        ? (100 * host.memory_used_bytes) / limit
        : null;
    for (const [kernelId, kernel] of Object.entries(sample.kernels)) {
      if (!kernel) {
        continue;
      }
      const last: IKernelLastSeen = {
        at: now,
        rssBytes: kernel.rss_bytes,
        gpuMemoryBytes: kernel.gpu_memory_bytes,
        ramUsedBytes: host.memory_used_bytes,
        ramLimitBytes: limit,
        ramPercent
      };
      const entry = this._kernels.get(kernelId) ?? {
        status: 'unknown',
        idleSince: null,
        last: null,
        path: ''
      };
      // A dead kernel's numbers stay those from before it died.
      if (!DEATH_STATUSES.has(entry.status)) {
        entry.last = last;
      }
      this._touch(kernelId, entry);
    }
  }

  /** The activity of the kernels in `open` (kernel id → notebook path). */
  activities(open: Map<string, string>): IKernelActivity[] {
    const result: IKernelActivity[] = [];
    for (const [id, path] of open) {
      const entry = this._kernels.get(id);
      if (entry) {
        result.push({
          id,
          path: path || entry.path,
          status: entry.status,
          idleSince: entry.idleSince
        });
      }
    }
    return result;
  }

  /** Recent deaths, oldest first. */
  get deaths(): IKernelDeath[] {
    return [...this._deaths];
  }

  private _touch(kernelId: string, entry: Private.IEntry): void {
    // Re-inserted so the map's order is least recently used first.
    this._kernels.delete(kernelId);
    this._kernels.set(kernelId, entry);
    while (this._kernels.size > this.capacity) {
      const oldest = this._kernels.keys().next().value as string;
      this._kernels.delete(oldest);
    }
  }

  private _kernels = new Map<string, Private.IEntry>();
  private _deaths: IKernelDeath[] = [];
}

namespace Private {
  export interface IEntry {
    status: string;
    idleSince: number | null;
    last: IKernelLastSeen | null;
    path: string;
  }
}
