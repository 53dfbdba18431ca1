/**
 * The warning list as IGpuSessionWarnings shows it, before and after the
 * warnings' machinery (engine.ts) is fetched. Before, the list is empty
 * and a source that finds nothing changes nothing, so nothing is fetched
 * for it (the countdown hands in its findings each second); what a source
 * does find is kept and handed to the list once it is there. No DOM.
 */
import { ISignal, Signal } from '@lumino/signaling';
import type { IGpuSessionWarnings, IWarningListReader } from '../tokens';
import type { IWarning, WarningList } from './list';
import type { IWarningFinding } from './types';

/** IGpuSessionWarnings over a list that comes later. */
export class LazyWarningList
  implements IWarningListReader, IGpuSessionWarnings
{
  /** `fetch` is called when a source first finds something. */
  constructor(fetch: () => void) {
    this._fetch = fetch;
  }

  /** The list itself: this object, which reads through to the real one. */
  get list(): IWarningListReader {
    return this;
  }

  /** The warnings, most severe first; none before the list is there. */
  get warnings(): ReadonlyArray<IWarning> {
    return this._list?.warnings ?? [];
  }

  /** Emitted after any change of the list. */
  get changed(): ISignal<IWarningListReader, void> {
    return this._changed;
  }

  /** Emitted when a warning is raised (not when it is updated). */
  get raised(): ISignal<IWarningListReader, IWarning> {
    return this._raised;
  }

  /**
   * Hand in what `source` finds now. Before the list is there, findings
   * are kept (the latest of each source) and the list is fetched.
   */
  update(source: string, findings: IWarningFinding[]): void {
    if (this._list) {
      this._list.update(source, findings);
      return;
    }
    if (findings.length === 0 && !this._pending.has(source)) {
      return;
    }
    this._pending.set(source, findings);
    this._fetch();
  }

  /** Read through to `list` from now on, after handing it what was kept. */
  attach(list: WarningList): void {
    list.changed.connect(() => this._changed.emit(), this);
    list.raised.connect((_, warning) => this._raised.emit(warning), this);
    this._list = list;
    for (const [source, findings] of this._pending) {
      list.update(source, findings);
    }
    this._pending.clear();
    this._changed.emit();
  }

  private _fetch: () => void;
  private _list: WarningList | null = null;
  private _pending = new Map<string, IWarningFinding[]>();
  private _changed = new Signal<IWarningListReader, void>(this);
  private _raised = new Signal<IWarningListReader, IWarning>(this);
}
