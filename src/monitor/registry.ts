/**
 * Which kernels on a server are monitor kernels, remembered across reloads
 * and shared between the tabs of one browser.
 *
 * #### Notes
 * A kernel started through `POST /api/kernels` carries no metadata of ours,
 * and a monitor kernel has no session, so nothing on the server says that a
 * kernel is a monitor kernel. The page therefore records the ids it starts
 * in `localStorage`, keyed by the server's base URL. Each tab that uses a
 * monitor kernel stamps it with the time it last used it, so a tab that
 * leaves can tell whether another tab still needs the kernel before it
 * shuts it down. A page that crashed leaves its record behind; the next
 * start finds the kernel there and reuses it (or forgets it when the server
 * no longer runs it).
 */

/** The part of `Storage` the registry needs. */
export interface IStorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

/** What is remembered about one monitor kernel. */
export interface IMonitorKernelRecord {
  id: string;
  /** The kernelspec it was started from. */
  spec: string;
  /** Tab id -> when that tab last used the kernel (unix ms). */
  users: { [tab: string]: number };
  /**
   * When a page asked the server to shut the kernel down (unix ms): the
   * kernel may still be listed for a moment, and must not be reused.
   */
  closing?: number;
}

/** The storage key prefix; the server's base URL follows it. */
export const REGISTRY_KEY_PREFIX = 'jupyterlab-gpu-session:monitor-kernels:';

/** The monitor kernels this browser started on one server. */
export class MonitorKernelRegistry {
  /**
   * @param storage - where records live; null keeps them in memory only.
   * @param baseUrl - the server's base URL; each server has its own list.
   * @param tab - this tab's id.
   * @param now - the clock, unix ms.
   */
  constructor(
    storage: IStorageLike | null,
    baseUrl: string,
    readonly tab: string,
    private readonly _now: () => number = Date.now
  ) {
    this._storage = storage;
    this.key = REGISTRY_KEY_PREFIX + baseUrl;
  }

  /** The storage key of this server's list. */
  readonly key: string;

  /** All records; a damaged entry is dropped rather than trusted. */
  read(): IMonitorKernelRecord[] {
    let raw: string | null;
    try {
      raw = this._storage ? this._storage.getItem(this.key) : this._memory;
    } catch {
      raw = this._memory;
    }
    let value: unknown;
    try {
      value = JSON.parse(raw ?? '[]');
    } catch {
      return [];
    }
    if (!Array.isArray(value)) {
      return [];
    }
    return value.filter(Private.isRecord).map(record => {
      const read: IMonitorKernelRecord = {
        id: record.id,
        spec: record.spec,
        users: Private.readUsers(record.users)
      };
      if (
        typeof record.closing === 'number' &&
        Number.isFinite(record.closing)
      ) {
        read.closing = record.closing;
      }
      return read;
    });
  }

  /** Remember a kernel this tab started or took over, as used by this tab. */
  add(id: string, spec: string): void {
    const records = this.read().filter(record => record.id !== id);
    records.push({ id, spec, users: { [this.tab]: this._now() } });
    this._write(records);
  }

  /** Forget a kernel (shut down, or gone from the server). */
  remove(id: string): void {
    const records = this.read();
    const kept = records.filter(record => record.id !== id);
    if (kept.length !== records.length) {
      this._write(kept);
    }
  }

  /**
   * Note that the kernel is being shut down: kept (so nobody reuses it or
   * starts a second one while it is still listed) until a page sees it gone.
   */
  markClosing(id: string): void {
    const records = this.read();
    const record = records.find(r => r.id === id);
    if (record) {
      record.closing = this._now();
      this._write(records);
    }
  }

  /** Note that this tab uses the kernel now. */
  touch(id: string): void {
    this._update(id, users => {
      users[this.tab] = this._now();
    });
  }

  /** Note that this tab no longer uses the kernel. */
  leave(id: string): void {
    this._update(id, users => {
      delete users[this.tab];
    });
  }

  /**
   * Whether another tab used the kernel within `withinMs`: then it is not
   * this tab's to shut down.
   */
  usedElsewhere(id: string, withinMs: number): boolean {
    const record = this.read().find(r => r.id === id);
    if (!record) {
      return false;
    }
    const since = this._now() - withinMs;
    return Object.entries(record.users).some(
      ([tab, time]) => tab !== this.tab && time >= since
    );
  }

  private _update(
    id: string,
    change: (users: { [tab: string]: number }) => void
  ): void {
    const records = this.read();
    const record = records.find(r => r.id === id);
    if (!record) {
      return;
    }
    change(record.users);
    this._write(records);
  }

  private _write(records: IMonitorKernelRecord[]): void {
    const text = JSON.stringify(records);
    this._memory = text;
    try {
      this._storage?.setItem(this.key, text);
    } catch {
      // Storage full or forbidden (private mode): the memory copy still
      // serves this tab.
    }
  }

  private _storage: IStorageLike | null;
  private _memory: string | null = null;
}

namespace Private {
  export function isRecord(
    value: unknown
  ): value is { id: string; spec: string; users: unknown; closing?: unknown } {
    if (typeof value !== 'object' || value === null) {
      return false;
    }
    const record = value as { [key: string]: unknown };
    return (
      typeof record.id === 'string' &&
      record.id !== '' &&
      typeof record.spec === 'string'
    );
  }

  export function readUsers(value: unknown): { [tab: string]: number } {
    const users: { [tab: string]: number } = {};
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      for (const [tab, time] of Object.entries(value)) {
        if (typeof time === 'number' && Number.isFinite(time)) {
          users[tab] = time;
        }
      }
    }
    return users;
  }
}
