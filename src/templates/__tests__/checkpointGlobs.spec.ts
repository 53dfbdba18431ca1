import { checkpointGlobFor, escapeGlob, withGlob } from '../checkpointGlobs';

describe('checkpointGlobFor', () => {
  it('prefers the persistent copies', () => {
    expect(
      checkpointGlobFor(
        { checkpoint_dir: 'checkpoints', persistent_dir: '~/drive/ckpt/' },
        'runs/train.ipynb'
      )
    ).toBe('~/drive/ckpt/*.pt');
  });

  it('resolves a local folder against the notebook’s folder', () => {
    expect(
      checkpointGlobFor(
        { checkpoint_dir: 'checkpoints', persistent_dir: '' },
        'runs/train.ipynb'
      )
    ).toBe('runs/checkpoints/*.pt');
    expect(
      checkpointGlobFor({ checkpoint_dir: '/scratch/c' }, 'train.ipynb')
    ).toBe('/scratch/c/*.pt');
  });

  it('matches glob characters in folder names literally', () => {
    expect(escapeGlob('/data/run[1]*?')).toBe('/data/run[[]1][*][?]');
    expect(checkpointGlobFor({ persistent_dir: '/d/[x]' }, 'a.ipynb')).toBe(
      '/d/[[]x]/*.pt'
    );
  });

  it('gives nothing without a folder', () => {
    expect(checkpointGlobFor({}, 'a.ipynb')).toBeNull();
  });

  it('adds a glob once', () => {
    expect(withGlob(['a'], 'b')).toEqual(['a', 'b']);
    expect(withGlob(['a', 'b'], 'b')).toEqual(['a', 'b']);
  });
});
