/**
 * The probe's account of training loops, checkpoint requests and cloud
 * interruption notices (docs/probe.md: `checkpoint.loops`, `interruption`,
 * `checkpoint_request_result`), and their readers.
 *
 * #### Notes
 * A loop's status record is written by the training process: untrusted. A
 * field of the wrong type there reads as null (the loop is still shown)
 * rather than rejecting the whole sample, so one odd record never hides the
 * GPUs. The probe's own fields (`state`, `directory`) are checked strictly.
 */
import {
  field,
  JsonRecord,
  readArray,
  readNumberOrNull,
  readObject,
  readString,
  readStringOrNull,
  ValidationError
} from './validate';

/** How a loop beside the checkpoints is doing. */
export type LoopState = 'running' | 'stale' | 'exited' | 'stopped' | 'none';

/** The last save a loop made. */
export interface ILoopSave {
  path: string | null;
  step: number | null;
  trigger: string | null;
  request_id: string | null;
  saved_at: number | null;
  bytes: number | null;
  seconds: number | null;
  /** Null without a persistent folder. */
  copy: {
    path: string | null;
    verified: boolean | null;
    error: string | null;
  } | null;
}

/** The last request a loop took, as it wrote it. */
export interface ILoopRequest {
  id: string | null;
  reason: string | null;
  state: string | null;
  path: string | null;
  done_at: number | null;
  error: string | null;
}

/** One training loop (a CheckpointKeeper) found beside the checkpoints. */
export interface ICheckpointLoop {
  directory: string;
  state: LoopState;
  pid: number | null;
  heartbeat_age_s: number | null;
  step: number | null;
  step_seconds: number | null;
  request: ILoopRequest | null;
  last_save: ILoopSave | null;
  last_error: { message: string | null } | null;
  /** A request file no loop has taken yet. */
  pending_request: { id: string | null; requested_at: number | null } | null;
  error: string | null;
}

/** A spot or preemptible VM's interruption notice. */
export interface IInterruptionNotice {
  cloud: string;
  /** Null: no notice. */
  kind: string | null;
  /** Unix seconds when the VM goes away, when known. */
  deadline_at: number | null;
  detail: string | null;
  error: string | null;
}

/** What writing one request file gave, per folder. */
export interface ICheckpointRequestResult {
  id: string;
  /** Keyed by the folder's absolute path. */
  directories: { [directory: string]: { ok: boolean; error: string | null } };
}

const LOOP_STATES: ReadonlyArray<LoopState> = [
  'running',
  'stale',
  'exited',
  'stopped',
  'none'
];

/** Read `checkpoint.loops`. */
export function readLoops(value: unknown, path: string): ICheckpointLoop[] {
  return readArray(value, path, readLoop);
}

/** Read the sample's `interruption`. */
export function readInterruption(
  value: unknown,
  path: string
): IInterruptionNotice {
  const notice = readObject(value, path);
  return {
    cloud: readString(field(notice, 'cloud', path), `${path}.cloud`),
    kind: readStringOrNull(field(notice, 'kind', path), `${path}.kind`),
    deadline_at: readNumberOrNull(
      field(notice, 'deadline_at', path),
      `${path}.deadline_at`
    ),
    detail: Private.text(notice.detail),
    error: Private.text(notice.error)
  };
}

/** Read the sample's `checkpoint_request_result`. */
export function readRequestResult(
  value: unknown,
  path: string
): ICheckpointRequestResult {
  const result = readObject(value, path);
  const folders = readObject(
    field(result, 'directories', path),
    `${path}.directories`
  );
  const directories: ICheckpointRequestResult['directories'] = {};
  for (const [directory, item] of Object.entries(folders)) {
    const at = `${path}.directories[${JSON.stringify(directory)}]`;
    const entry = readObject(item, at);
    const ok = field(entry, 'ok', at);
    if (typeof ok !== 'boolean') {
      throw new ValidationError(`${at}.ok`, 'true or false', ok);
    }
    directories[directory] = {
      ok,
      error: readStringOrNull(entry.error ?? null, `${at}.error`)
    };
  }
  return {
    id: readString(field(result, 'id', path), `${path}.id`),
    directories
  };
}

function readLoop(value: unknown, path: string): ICheckpointLoop {
  const loop = readObject(value, path);
  const state = field(loop, 'state', path);
  if (!LOOP_STATES.includes(state as LoopState)) {
    throw new ValidationError(
      `${path}.state`,
      LOOP_STATES.map(s => `"${s}"`).join(', '),
      state
    );
  }
  const num = Private.num;
  const text = Private.text;
  const request = Private.record(loop.request);
  const save = Private.record(loop.last_save);
  const copy = save && Private.record(save.copy);
  const failure = Private.record(loop.last_error);
  const pending = Private.record(loop.pending_request);
  return {
    directory: readString(field(loop, 'directory', path), `${path}.directory`),
    state: state as LoopState,
    pid: num(loop.pid),
    heartbeat_age_s: num(loop.heartbeat_age_s),
    step: num(loop.step),
    step_seconds: num(loop.step_seconds),
    request: request && {
      id: text(request.id),
      reason: text(request.reason),
      state: text(request.state),
      path: text(request.path),
      done_at: num(request.done_at),
      error: text(request.error)
    },
    last_save: save && {
      path: text(save.path),
      step: num(save.step),
      trigger: text(save.trigger),
      request_id: text(save.request_id),
      saved_at: num(save.saved_at),
      bytes: num(save.bytes),
      seconds: num(save.seconds),
      copy: copy && {
        path: text(copy.path),
        verified: typeof copy.verified === 'boolean' ? copy.verified : null,
        error: text(copy.error)
      }
    },
    last_error: failure && { message: text(failure.message) },
    pending_request: pending && {
      id: text(pending.id),
      requested_at: num(pending.requested_at)
    },
    error: text(loop.error)
  };
}

namespace Private {
  /** Longest text kept from a file the training process wrote. */
  const MAX_TEXT = 1000;

  export function num(value: unknown): number | null {
    return typeof value === 'number' && Number.isFinite(value) ? value : null;
  }

  export function text(value: unknown): string | null {
    return typeof value === 'string' ? value.slice(0, MAX_TEXT) : null;
  }

  export function record(value: unknown): JsonRecord | null {
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as JsonRecord)
      : null;
  }
}
