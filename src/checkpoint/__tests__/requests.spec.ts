import { CheckpointRequests, ICheckpointRequestState } from '../requests';
import { parseSample } from '../../monitor/parser';
import { IProbeSample } from '../../monitor/protocol';
import { RawSample, teslaT4Sample } from '../../__tests__/samples';

const DIR = '/home/me/checkpoints';
const NOW = Date.UTC(2026, 10, 27, 21, 0, 0);

function sample(extra: {
  loops?: RawSample[];
  result?: RawSample | null;
}): IProbeSample {
  const raw = teslaT4Sample();
  raw.checkpoint = {
    patterns: [`${DIR}/*.pt`],
    newest_path: null,
    newest_mtime: null,
    newest_size_bytes: null,
    matched: 0,
    error: null,
    loops: extra.loops ?? []
  };
  raw.checkpoint_request_result = extra.result ?? null;
  const parsed = parseSample(raw);
  if (!parsed.ok) {
    throw new Error(parsed.error);
  }
  return parsed.sample;
}

function loop(state: string, extra: RawSample = {}): RawSample {
  return {
    directory: DIR,
    state,
    pid: 42,
    heartbeat_age_s: 3,
    step: 10,
    step_seconds: 1,
    request: null,
    last_save: null,
    last_error: null,
    pending_request: null,
    error: null,
    ...extra
  };
}

const written = { id: 'r1', directories: { [DIR]: { ok: true, error: null } } };

describe('CheckpointRequests', () => {
  let now: { t: number };
  let requests: CheckpointRequests;
  let seen: string[];

  beforeEach(() => {
    now = { t: NOW };
    requests = new CheckpointRequests({
      now: () => now.t,
      newId: () => 'r1',
      answerMs: () => 5 * 60_000
    });
    seen = [];
    requests.changed.connect((_, s: ICheckpointRequestState) =>
      seen.push(s.phase)
    );
  });

  afterEach(() => requests.dispose());

  it('follows a request from asked to saved and copied', () => {
    const sent = requests.request('Checkpoint now', 'manual', [DIR]);
    expect(sent).toEqual({
      id: 'r1',
      directories: [DIR],
      reason: 'Checkpoint now',
      save_by: null
    });
    requests.update(
      sample({
        loops: [loop('running', { pending_request: { id: 'r1' } })],
        result: written
      })
    );
    expect(requests.latest!.phase).toBe('requested');
    requests.update(
      sample({
        loops: [
          loop('running', {
            request: { id: 'r1', state: 'saved', path: `${DIR}/a.pt` },
            last_save: {
              path: `${DIR}/a.pt`,
              bytes: 2048,
              seconds: 1.5,
              copy: { path: '/drive/a.pt', verified: true, error: null }
            }
          })
        ]
      })
    );
    expect(requests.latest!.save).toEqual({
      path: `${DIR}/a.pt`,
      bytes: 2048,
      seconds: 1.5,
      copyVerified: true,
      copyError: null,
      moreBeforeEnd: false
    });
    expect(seen).toEqual(['sending', 'requested', 'saved']);
    expect(requests.lastSaveMs).toBe(1500);
  });

  it('says why a copy did not verify', () => {
    requests.request('Checkpoint now', 'manual', [DIR]);
    requests.update(
      sample({
        loops: [
          loop('running', {
            request: { id: 'r1', state: 'saved' },
            last_save: {
              path: `${DIR}/a.pt`,
              bytes: 20,
              seconds: 1,
              copy: {
                path: '/drive/a.pt',
                verified: false,
                error: 'OSError: the copy has 10 bytes, not 20'
              }
            }
          })
        ],
        result: written
      })
    );
    expect(requests.latest!.phase).toBe('saved');
    expect(requests.latest!.save).toMatchObject({
      copyVerified: false,
      copyError: 'OSError: the copy has 10 bytes, not 20'
    });
  });

  it('says when no training loop runs where the request was written', () => {
    requests.request('Checkpoint now', 'manual', [DIR]);
    requests.update(
      sample({
        loops: [loop('stale', { pending_request: { id: 'r1' } })],
        result: written
      })
    );
    expect(requests.latest!.phase).toBe('no-loop');
    now.t += 6 * 60_000;
    requests.update(
      sample({ loops: [loop('stale', { pending_request: { id: 'r1' } })] })
    );
    expect(requests.latest!.phase).toBe('no-answer');
  });

  it('fails with the probe’s words when no request file could be written', () => {
    requests.request('Checkpoint now', 'manual', [DIR]);
    requests.update(
      sample({
        result: {
          id: 'r1',
          directories: {
            [DIR]: { ok: false, error: `${DIR} is on a read-only file system` }
          }
        }
      })
    );
    expect(requests.latest!.phase).toBe('failed');
    expect(requests.latest!.error).toBe(`${DIR} is on a read-only file system`);
  });

  it('fails at once without a folder, and reports a failed save', () => {
    expect(requests.request('Checkpoint now', 'manual', [])).toBeNull();
    expect(requests.latest!.phase).toBe('failed');
    requests.request('Session ends', 'before-end', [DIR], NOW + 600_000);
    requests.update(
      sample({
        loops: [
          loop('running', {
            request: { id: 'r1', state: 'failed', error: null },
            last_error: {
              message: 'OSError: [Errno 28] No space left on device'
            }
          })
        ],
        result: written
      })
    );
    expect(requests.latest!.phase).toBe('failed');
    expect(requests.latest!.error).toContain('No space left');
  });

  it('waits for a loop that took a request with an end until that end', () => {
    const saveBy = NOW + 10 * 60_000;
    expect(
      requests.request('Session ends', 'before-end', [DIR], saveBy)!.save_by
    ).toBe(saveBy / 1000);
    const taken = sample({
      loops: [loop('running', { request: { id: 'r1', state: 'waiting' } })],
      result: written
    });
    requests.update(taken);
    now.t += 8 * 60_000;
    requests.update(taken);
    expect(requests.latest!.phase).toBe('requested');
    requests.update(
      sample({
        loops: [
          loop('running', {
            request: { id: 'r1', state: 'saved early' },
            last_save: { path: `${DIR}/b.pt`, bytes: 1, seconds: 2, copy: null }
          })
        ]
      })
    );
    expect(requests.latest!.save).toMatchObject({
      moreBeforeEnd: true,
      copyVerified: null
    });
    now.t = saveBy + 1;
    requests.update(
      sample({
        loops: [
          loop('running', {
            request: { id: 'r1', state: 'saved' },
            last_save: { path: `${DIR}/c.pt`, bytes: 1, seconds: 2, copy: null }
          })
        ]
      })
    );
    expect(requests.latest!.save).toMatchObject({
      path: `${DIR}/c.pt`,
      moreBeforeEnd: false
    });
  });
});
