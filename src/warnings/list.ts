/**
 * The warning list: the lifecycle of every warning, whatever raised it.
 *
 * Sources (the monitor's rules, the countdown) hand in the findings that
 * hold now; the list raises a warning once, updates it in place while it
 * lasts and clears it when its source stops finding it. Snoozes (per
 * rule, for a while) and dismissals (per warning, until it clears) are
 * kept in a store so a reload does not bring back what a person put away.
 * No DOM: the sidebar, the notifications and the status mark are views.
 */
import { ISignal, Signal } from '@lumino/signaling';
import { IWarningFinding, WarningRuleId } from './types';

/** A warning in the list. */
export interface IWarning extends IWarningFinding {
  /** Which source raised it (`monitor`, `countdown`). */
  source: string;
  /** When it was raised (unix ms); a new occurrence gets a new time. */
  raisedAt: number;
  /** When its text last changed. */
  updatedAt: number;
  /** Until when its rule is snoozed (unix ms), or null. */
  snoozedUntil: number | null;
  /** Whether the user dismissed it until it clears. */
  dismissed: boolean;
  /** Neither snoozed nor dismissed: notifications and the status mark show it. */
  visible: boolean;
}

/** What the store keeps across reloads. */
export interface IWarningListState {
  /** Rule id → snoozed until (unix ms). */
  snoozed: { [rule: string]: number };
  /** Warning key → when it was dismissed (unix ms). */
  dismissed: { [key: string]: number };
}

/** Where the list keeps its state (the plugin adapts IStateDB). */
export interface IWarningStore {
  /** The saved state, or null when none was saved. */
  load(): Promise<IWarningListState | null>;
  /** Keep `state`. */
  save(state: IWarningListState): Promise<void>;
}

/** Options of the list. */
export interface IWarningListOptions {
  /** Where snoozes and dismissals are kept; none: only in memory. */
  store?: IWarningStore | null;
  /** Unix ms; injected for tests. */
  now?: () => number;
}

/**
 * A dismissal is forgotten when its warning clears in this page; one whose
 * warning cleared while no page was open is forgotten after this long.
 */
export const DISMISSAL_LIFETIME_MS = 24 * 60 * 60 * 1000;

const SEVERITY_ORDER = { error: 0, warning: 1, info: 2 };

/** The warnings of the session and their lifecycle. */
export class WarningList {
  constructor(options: IWarningListOptions = {}) {
    this._store = options.store ?? null;
    this._now = options.now ?? Date.now;
  }

  /** Emitted after any change a view would show. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** Emitted once per raised warning (also a new occurrence of one). */
  get raised(): ISignal<this, IWarning> {
    return this._raised;
  }

  /** The active warnings, most severe first, then oldest first. */
  get warnings(): IWarning[] {
    const now = this._now();
    return [...this._active.values()]
      .map(entry => this._view(entry, now))
      .sort(
        (a, b) =>
          SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
          a.raisedAt - b.raisedAt
      );
  }

  /** Keys of the active warnings of `source` (for the rules' hysteresis). */
  activeKeys(source?: string): Set<string> {
    const keys = new Set<string>();
    for (const entry of this._active.values()) {
      if (source === undefined || entry.source === source) {
        keys.add(entry.finding.key);
      }
    }
    return keys;
  }

  /** Whether the saved state has been read (see `restore`). */
  get restored(): boolean {
    return this._restored;
  }

  /**
   * Read the saved snoozes and dismissals. Call before the first
   * `update`, so a snoozed warning is not announced for a moment.
   */
  async restore(): Promise<void> {
    try {
      const state = await this._store?.load();
      const now = this._now();
      for (const [rule, until] of Object.entries(state?.snoozed ?? {})) {
        if (typeof until === 'number' && until > now) {
          this._snoozed.set(rule, until);
        }
      }
      for (const [key, at] of Object.entries(state?.dismissed ?? {})) {
        if (typeof at === 'number' && now - at < DISMISSAL_LIFETIME_MS) {
          this._dismissed.set(key, at);
        }
      }
    } catch (reason) {
      console.warn('jupyterlab-gpu-session: warning state not read', reason);
    }
    this._restored = true;
    this._changed.emit();
  }

  /**
   * Hand in what `source` finds now: new keys are raised, known ones
   * updated in place, and its keys not found any more are cleared.
   */
  update(source: string, findings: IWarningFinding[]): void {
    const now = this._now();
    let changed = this._expireSnoozes(now);
    const found = new Set<string>();
    for (const finding of findings) {
      if (found.has(finding.key)) {
        continue;
      }
      found.add(finding.key);
      const entry = this._active.get(finding.key);
      if (!entry) {
        const added = { source, finding, raisedAt: now, updatedAt: now };
        this._active.set(finding.key, added);
        changed = true;
        this._raised.emit(this._view(added, now));
      } else if (
        finding.epoch !== undefined &&
        finding.epoch !== entry.finding.epoch
      ) {
        // A new occurrence: announced again, whatever was put away before.
        entry.finding = finding;
        entry.raisedAt = now;
        entry.updatedAt = now;
        this._snoozed.delete(finding.rule);
        this._dismissed.delete(finding.key);
        this._save();
        changed = true;
        this._raised.emit(this._view(entry, now));
      } else if (!Private.sameText(entry.finding, finding)) {
        entry.finding = finding;
        entry.updatedAt = now;
        changed = true;
      }
    }
    for (const [key, entry] of [...this._active]) {
      if (entry.source === source && !found.has(key)) {
        this._active.delete(key);
        if (this._dismissed.delete(key)) {
          this._save();
        }
        changed = true;
      }
    }
    if (changed) {
      this._changed.emit();
    }
  }

  /** Hide the warnings of `rule` for `minutes`; kept across reloads. */
  snooze(rule: WarningRuleId | string, minutes: number): void {
    this._snoozed.set(rule, this._now() + minutes * 60_000);
    this._save();
    this._changed.emit();
  }

  /** Show the warnings of `rule` again. */
  unsnooze(rule: WarningRuleId | string): void {
    if (this._snoozed.delete(rule)) {
      this._save();
      this._changed.emit();
    }
  }

  /** Hide the warning `key` until it clears; kept across reloads. */
  dismiss(key: string): void {
    this._dismissed.set(key, this._now());
    this._save();
    this._changed.emit();
  }

  /** The state the store keeps. */
  toJSON(): IWarningListState {
    return {
      snoozed: Object.fromEntries(this._snoozed),
      dismissed: Object.fromEntries(this._dismissed)
    };
  }

  /** Disconnect every listener of the list. */
  dispose(): void {
    Signal.clearData(this);
  }

  private _expireSnoozes(now: number): boolean {
    let expired = false;
    for (const [rule, until] of [...this._snoozed]) {
      if (until <= now) {
        this._snoozed.delete(rule);
        expired = true;
      }
    }
    if (expired) {
      this._save();
    }
    return expired;
  }

  private _view(entry: Private.IEntry, now: number): IWarning {
    const until = this._snoozed.get(entry.finding.rule) ?? null;
    const snoozedUntil = until !== null && until > now ? until : null;
    const dismissed = this._dismissed.has(entry.finding.key);
    return {
      ...entry.finding,
      source: entry.source,
      raisedAt: entry.raisedAt,
      updatedAt: entry.updatedAt,
      snoozedUntil,
      dismissed,
      visible: snoozedUntil === null && !dismissed
    };
  }

  private _save(): void {
    // Saved in order; a failure only costs the memory of a snooze.
    const state = this.toJSON();
    this._saving = this._saving
      .then(() => this._store?.save(state))
      .catch(reason =>
        console.warn('jupyterlab-gpu-session: warning state not saved', reason)
      );
  }

  private _store: IWarningStore | null;
  private _now: () => number;
  private _active = new Map<string, Private.IEntry>();
  private _snoozed = new Map<string, number>();
  private _dismissed = new Map<string, number>();
  private _restored = false;
  private _saving: Promise<void> = Promise.resolve();
  private _changed = new Signal<this, void>(this);
  private _raised = new Signal<this, IWarning>(this);
}

namespace Private {
  export interface IEntry {
    source: string;
    finding: IWarningFinding;
    raisedAt: number;
    updatedAt: number;
  }

  export function sameText(a: IWarningFinding, b: IWarningFinding): boolean {
    return (
      a.title === b.title &&
      a.detail === b.detail &&
      a.advice === b.advice &&
      a.severity === b.severity &&
      JSON.stringify(a.actions) === JSON.stringify(b.actions)
    );
  }
}
