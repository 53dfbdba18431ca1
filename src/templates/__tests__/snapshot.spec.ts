import { findSnapshotReport, SNAPSHOT_MIME, withSnapshot } from '../snapshot';

describe('findSnapshotReport', () => {
  it('reads the report from display data', () => {
    expect(
      findSnapshotReport([
        { output_type: 'stream', name: 'stdout', text: 'x' },
        {
          output_type: 'display_data',
          data: {
            [SNAPSHOT_MIME]: { path: 'env-snapshots/1', gpu: 'Tesla T4' },
            'text/plain': 'saved'
          },
          metadata: {}
        }
      ])
    ).toEqual({ path: 'env-snapshots/1', gpu: 'Tesla T4' });
  });

  it.each([
    [{ path: 3, gpu: null }],
    [{ path: '', gpu: null }],
    [{ path: 'x', gpu: 7 }],
    ['x'],
    [null]
  ])('ignores a malformed report %j', data => {
    expect(
      findSnapshotReport([
        {
          output_type: 'display_data',
          data: { [SNAPSHOT_MIME]: data as never },
          metadata: {}
        }
      ])
    ).toBeNull();
  });
});

describe('withSnapshot', () => {
  it('keeps the other gpu_session metadata', () => {
    const now = new Date('2025-01-02T03:04:05Z');
    expect(withSnapshot({ other: 1 }, { path: 'p', gpu: null }, now)).toEqual({
      other: 1,
      env_snapshot: { path: 'p', gpu: null, recorded: now.toISOString() }
    });
  });
});
