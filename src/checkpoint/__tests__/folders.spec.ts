import { globFolder, requestFolders } from '../folders';
import { ICheckpointLoop } from '../../monitor/checkpointProtocol';

function loop(
  directory: string,
  state: ICheckpointLoop['state']
): ICheckpointLoop {
  return {
    directory,
    state,
    pid: null,
    heartbeat_age_s: null,
    step: null,
    step_seconds: null,
    request: null,
    last_save: null,
    last_error: null,
    pending_request: null,
    error: null
  };
}

describe('requestFolders', () => {
  it('asks the running loops first, then any loop, then the globs’ folders', () => {
    const loops = [loop('/a', 'stale'), loop('/b', 'running')];
    expect(requestFolders(loops, ['/c/*.pt'])).toEqual(['/b']);
    expect(requestFolders([loops[0]], ['/c/*.pt'])).toEqual(['/a']);
    expect(
      requestFolders([], ['/c/*.pt', '~/runs/**/*.pt', '/c/x.pt'])
    ).toEqual(['/c', '~/runs']);
    expect(requestFolders([], [])).toEqual([]);
  });

  it('takes the folder part of a glob', () => {
    expect(globFolder('/content/checkpoints/*.pt')).toBe(
      '/content/checkpoints'
    );
    expect(globFolder('checkpoints/ckpt-[0-9]*.pt')).toBe('checkpoints');
    expect(globFolder('/ckpt.pt')).toBe('/');
    expect(globFolder('*.pt')).toBeNull();
  });
});
