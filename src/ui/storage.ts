/**
 * The browser's localStorage, guarded: reading or writing it throws where
 * storage is disabled (private windows of some browsers, sandboxed frames,
 * a full quota), and a monitor must keep working there, only forgetting
 * more across reloads.
 */

/** The part of `Storage` the extension uses. */
export interface IKeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** localStorage behind try/catch; a store that keeps nothing without it. */
export function browserStorage(): IKeyValueStore {
  let storage: Storage | null = null;
  try {
    storage = typeof window === 'undefined' ? null : window.localStorage;
  } catch {
    storage = null;
  }
  return {
    getItem: key => {
      try {
        return storage?.getItem(key) ?? null;
      } catch {
        return null;
      }
    },
    setItem: (key, value) => {
      try {
        storage?.setItem(key, value);
      } catch {
        // Full or forbidden: the value is simply not kept.
      }
    },
    removeItem: key => {
      try {
        storage?.removeItem(key);
      } catch {
        // Forbidden: nothing was kept either.
      }
    }
  };
}
