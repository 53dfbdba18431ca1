/**
 * The life of checkpoint requests: asked, written beside the checkpoints,
 * taken by the training loop, saved and copied, or why not. A pure model:
 * it reads probe samples and knows nothing of the DOM or JupyterLab.
 */
import { ISignal, Signal } from '@lumino/signaling';
import { ICheckpointLoop } from '../monitor/checkpointProtocol';
import { ICheckpointRequest, IProbeSample } from '../monitor/protocol';

/** Where a request is in its life. */
export type RequestPhase =
  /** Made; waiting for the sample that writes it. */
  | 'sending'
  /** Written beside the checkpoints; the loop saves at its next step. */
  | 'requested'
  /** Written, but no training loop runs there to take it. */
  | 'no-loop'
  /** Saved by the loop (see `save` for the copy). */
  | 'saved'
  /** Could not be written, or the save failed (see `error`). */
  | 'failed'
  /** No loop answered within the answer time. */
  | 'no-answer';

/** What the loop's save gave. */
export interface ISaveResult {
  path: string | null;
  bytes: number | null;
  seconds: number | null;
  /** Whether the copy in persistent storage verified; null without one. */
  copyVerified: boolean | null;
  /** Why the copy did not verify. */
  copyError: string | null;
  /** The loop saves once more before the end (a request with `save_by`). */
  moreBeforeEnd: boolean;
}

/** One request and what became of it. */
export interface ICheckpointRequestState {
  readonly id: string;
  /** For people: why it was asked (a trigger, "Checkpoint now"). */
  readonly reason: string;
  /** What asked: `manual`, `before-end`, `idle`, `interruption`. */
  readonly trigger: string;
  /** Unix ms. */
  readonly requestedAt: number;
  /** Unix ms by which the save must be finished, or null. */
  readonly saveBy: number | null;
  /** The folders asked; the probe's absolute paths once it wrote them. */
  directories: ReadonlyArray<string>;
  phase: RequestPhase;
  /** Whether a loop has taken the request (it is in its status record). */
  taken: boolean;
  /** Why it failed, or which folders could not be written. */
  error: string | null;
  save: ISaveResult | null;
}

/** Options of the tracker. */
export interface ICheckpointRequestsOptions {
  /** The clock, unix ms. */
  now?: () => number;
  /** How long a loop may take to answer before it is `no-answer`. */
  answerMs?: () => number;
  /** Request ids; random by default. */
  newId?: () => string;
}

/** Makes checkpoint requests and follows them through the samples. */
export class CheckpointRequests {
  constructor(options: ICheckpointRequestsOptions = {}) {
    this._now = options.now ?? Date.now;
    this._answerMs = options.answerMs ?? (() => 5 * 60_000);
    this._newId = options.newId ?? Private.randomId;
  }

  /** Emitted when a request is made or changes phase. */
  get changed(): ISignal<this, ICheckpointRequestState> {
    return this._changed;
  }

  /** The latest request, or null before the first. */
  get latest(): ICheckpointRequestState | null {
    return this._latest;
  }

  /** The loops the latest sample found beside the checkpoints. */
  get loops(): ReadonlyArray<ICheckpointLoop> {
    return this._loops;
  }

  /** The slowest of the loops' last saves, ms (copy included), or 0. */
  get lastSaveMs(): number {
    return Math.max(
      0,
      ...this._loops.map(l => (l.last_save?.seconds ?? 0) * 1000)
    );
  }

  /**
   * Make a request for `directories`; returns what the probe is to write,
   * or null (the request is `failed` then) when there is no folder.
   */
  request(
    reason: string,
    trigger: string,
    directories: string[],
    saveBy: number | null = null
  ): ICheckpointRequest | null {
    const state: ICheckpointRequestState = {
      id: this._newId(),
      reason,
      trigger,
      requestedAt: this._now(),
      saveBy,
      directories: [...directories],
      phase: 'sending',
      taken: false,
      error: null,
      save: null
    };
    this._latest = state;
    if (directories.length === 0) {
      state.phase = 'failed';
      state.error = 'no checkpoint folder is known';
      this._changed.emit(state);
      return null;
    }
    this._changed.emit(state);
    return {
      id: state.id,
      directories: state.directories.slice(),
      reason,
      save_by: saveBy === null ? null : saveBy / 1000
    };
  }

  /** Follow the latest request through a new sample. */
  update(sample: IProbeSample): void {
    this._loops = sample.checkpoint?.loops ?? [];
    const state = this._latest;
    if (!state || Private.isFinal(state.phase)) {
      return;
    }
    const before = JSON.stringify([state.phase, state.error, state.save]);
    const result = sample.checkpoint_request_result;
    if (state.phase === 'sending' && result?.id === state.id) {
      state.directories = Object.keys(result.directories);
      const failed = Object.entries(result.directories).filter(
        ([, r]) => !r.ok
      );
      state.error = failed.length
        ? failed.map(([dir, r]) => r.error ?? dir).join('; ')
        : null;
      state.phase =
        failed.length === Object.keys(result.directories).length
          ? 'failed'
          : 'requested';
    }
    if (
      state.phase === 'requested' ||
      state.phase === 'no-loop' ||
      (state.phase === 'saved' && state.save?.moreBeforeEnd)
    ) {
      this._follow(state);
    }
    // No loop took it in time, or one took it and the end passed unsaved.
    const now = this._now();
    if (
      (state.phase === 'requested' || state.phase === 'no-loop') &&
      (state.taken
        ? state.saveBy !== null && now > state.saveBy
        : now - state.requestedAt > this._answerMs())
    ) {
      state.phase = 'no-answer';
    }
    if (JSON.stringify([state.phase, state.error, state.save]) !== before) {
      this._changed.emit(state);
    }
  }

  dispose(): void {
    Signal.clearData(this);
  }

  /** Read the loops of the request's folders. */
  private _follow(state: ICheckpointRequestState): void {
    const mine = this._loops.filter(l =>
      state.directories.some(d => Private.sameFolder(d, l.directory))
    );
    const answered = mine.find(l => l.request?.id === state.id);
    if (answered?.request) {
      state.taken = true;
      const taken = answered.request;
      if (taken.state === 'failed') {
        state.phase = 'failed';
        state.error =
          taken.error ?? answered.last_error?.message ?? 'the save failed';
        return;
      }
      if (taken.state === 'saved' || taken.state === 'saved early') {
        const save = answered.last_save;
        state.phase = 'saved';
        state.save = {
          path: save?.path ?? taken.path,
          bytes: save?.bytes ?? null,
          seconds: save?.seconds ?? null,
          copyVerified: save?.copy ? (save.copy.verified ?? false) : null,
          copyError: save?.copy?.error ?? null,
          moreBeforeEnd: taken.state === 'saved early'
        };
        return;
      }
      state.phase = 'requested';
      return;
    }
    // Not taken yet: is anything running there to take it?
    const running = mine.some(l => l.state === 'running');
    state.phase = mine.length && !running ? 'no-loop' : 'requested';
  }

  private _now: () => number;
  private _answerMs: () => number;
  private _newId: () => string;
  private _latest: ICheckpointRequestState | null = null;
  private _loops: ReadonlyArray<ICheckpointLoop> = [];
  private _changed = new Signal<this, ICheckpointRequestState>(this);
}

namespace Private {
  export function isFinal(phase: RequestPhase): boolean {
    return phase === 'failed' || phase === 'no-answer';
  }

  export function sameFolder(a: string, b: string): boolean {
    const strip = (p: string) => (p.length > 1 ? p.replace(/\/+$/, '') : p);
    return strip(a) === strip(b);
  }

  export function randomId(): string {
    const bytes = new Uint8Array(8);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, b => b.toString(16).padStart(2, '0')).join('');
  }
}
