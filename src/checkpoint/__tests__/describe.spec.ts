import { nullTranslator } from '@jupyterlab/translation';
import { ICheckpointRequestState } from '../requests';
import { describeRequest } from '../describe';

const trans = nullTranslator.load('jupyterlab_gpu_session');

function savedState(trigger: string, reason: string): ICheckpointRequestState {
  return {
    id: 'r1',
    reason,
    trigger,
    requestedAt: Date.UTC(2026, 11, 2, 10, 0),
    saveBy: null,
    directories: ['/ckpt'],
    phase: 'saved',
    taken: true,
    error: null,
    save: {
      path: '/ckpt/a.pt',
      bytes: 4096,
      seconds: 1,
      copyVerified: true,
      copyError: null,
      moreBeforeEnd: true
    }
  };
}

describe('describeRequest', () => {
  it('keeps the reason of a save that a trigger asked for', () => {
    const text = describeRequest(
      savedState('before-end', 'the session ends at 10:03'),
      trans,
      300_000
    );
    expect(text).toEqual({
      level: 'success',
      text: 'Checkpoint saved because the session ends at 10:03: /ckpt/a.pt (4.0 KiB in 1s); copied and verified; one more save comes before the end.'
    });
  });

  it('does not repeat the button for a save the user asked for', () => {
    const text = describeRequest(
      savedState('manual', 'Checkpoint now'),
      trans,
      300_000
    ).text;
    expect(text).toBe(
      'Checkpoint saved: /ckpt/a.pt (4.0 KiB in 1s); copied and verified; one more save comes before the end.'
    );
  });

  it('says a failed copy as a warning', () => {
    const state = savedState('manual', 'Checkpoint now');
    state.save = {
      ...state.save!,
      copyVerified: false,
      copyError: 'disk full'
    };
    expect(describeRequest(state, trans, 300_000)).toEqual({
      level: 'warning',
      text: 'Checkpoint saved: /ckpt/a.pt (4.0 KiB in 1s); the copy failed: disk full; one more save comes before the end.'
    });
  });
});
