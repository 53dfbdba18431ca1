import { parseSample } from '../parser';
import { RawSample, teslaT4Sample } from '../../__tests__/samples';

/** A loop as probe.py reports it (docs/probe.md, checkpoint.loops). */
function loop(extra: RawSample = {}): RawSample {
  return {
    directory: '/home/me/checkpoints',
    state: 'running',
    pid: 4242,
    hostname: 'node-7',
    heartbeat_at: 1796163170.1,
    heartbeat_age_s: 4.2,
    step: 1200,
    step_seconds: 0.84,
    every_s: 1800,
    signals: ['SIGUSR1', 'SIGTERM'],
    stopping: null,
    request: {
      id: 'r1',
      reason: 'Checkpoint now',
      state: 'saved',
      path: '/home/me/checkpoints/ckpt-step1201.pt',
      done_at: 1796163690.3,
      error: null
    },
    last_save: {
      path: '/home/me/checkpoints/ckpt-step1201.pt',
      step: 1201,
      trigger: 'request',
      request_id: 'r1',
      saved_at: 1796163690.3,
      bytes: 1048576,
      seconds: 2.2,
      copy: { path: '/drive/ckpt-step1201.pt', verified: true, error: null }
    },
    last_error: null,
    pending_request: null,
    error: null,
    ...extra
  };
}

function withCheckpoint(loops: unknown[]): RawSample {
  const raw = teslaT4Sample();
  raw.checkpoint = {
    patterns: ['/home/me/checkpoints/*.pt'],
    newest_path: null,
    newest_mtime: null,
    newest_size_bytes: null,
    matched: 0,
    error: null,
    loops
  };
  return raw;
}

describe('checkpoint loops, requests and interruption notices', () => {
  it('reads the loops beside the checkpoints', () => {
    const result = parseSample(withCheckpoint([loop()]));
    if (!result.ok) {
      throw new Error(result.error);
    }
    const [read] = result.sample.checkpoint!.loops!;
    expect(read.state).toBe('running');
    expect(read.last_save).toMatchObject({
      bytes: 1048576,
      seconds: 2.2,
      copy: { verified: true }
    });
    expect(read.request?.id).toBe('r1');
  });

  it('keeps a loop whose status record has fields of the wrong type', () => {
    // The record is written by the training process: untrusted.
    const odd = loop({
      step: 'many',
      last_save: { bytes: '1 MB', copy: 'yes', path: 7 },
      request: ['not', 'an', 'object']
    });
    const result = parseSample(withCheckpoint([odd]));
    if (!result.ok) {
      throw new Error(result.error);
    }
    const [read] = result.sample.checkpoint!.loops!;
    expect(read.step).toBeNull();
    expect(read.request).toBeNull();
    expect(read.last_save).toMatchObject({
      bytes: null,
      copy: null,
      path: null
    });
  });

  it('rejects a loop state the probe never writes, naming the path', () => {
    const result = parseSample(withCheckpoint([loop({ state: 'dancing' })]));
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toContain(
      'sample.checkpoint.loops[0].state'
    );
  });

  it('reads an interruption notice and the result of a request', () => {
    const raw = teslaT4Sample();
    raw.interruption = {
      cloud: 'aws',
      kind: 'spot-terminate',
      deadline_at: 1796163720,
      detail: 'spot instance-action terminate at 2026-11-27T21:42:00Z',
      error: null,
      checked_at: 1796163600
    };
    raw.checkpoint_request_result = {
      id: 'r2',
      requested_at: 1796163600,
      directories: {
        '/home/me/checkpoints': { ok: true, path: '/x', error: null },
        '/ro': {
          ok: false,
          path: null,
          error: '/ro is on a read-only file system'
        }
      }
    };
    const result = parseSample(raw);
    if (!result.ok) {
      throw new Error(result.error);
    }
    expect(result.sample.interruption).toMatchObject({
      cloud: 'aws',
      kind: 'spot-terminate',
      deadline_at: 1796163720
    });
    expect(result.sample.checkpoint_request_result).toEqual({
      id: 'r2',
      directories: {
        '/home/me/checkpoints': { ok: true, error: null },
        '/ro': { ok: false, error: '/ro is on a read-only file system' }
      }
    });
  });

  it('reads samples of older probes without these keys', () => {
    const result = parseSample(teslaT4Sample());
    expect(result.ok && result.sample.interruption).toBeNull();
    expect(result.ok && result.sample.checkpoint_request_result).toBeNull();
  });
});
