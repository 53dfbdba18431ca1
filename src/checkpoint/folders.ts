/**
 * Which folders a checkpoint request goes to.
 */
import { ICheckpointLoop } from '../monitor/checkpointProtocol';

/**
 * The folders of the running training loops; else of every loop found;
 * else the folder part of each checkpoint glob (the probe expands `~` and
 * makes them absolute), so that a loop started later still finds it.
 */
export function requestFolders(
  loops: ReadonlyArray<ICheckpointLoop>,
  globs: ReadonlyArray<string>
): string[] {
  const running = loops.filter(l => l.state === 'running');
  const chosen = running.length ? running : loops;
  if (chosen.length) {
    return unique(chosen.map(l => l.directory));
  }
  return unique(globs.map(globFolder).filter((f): f is string => f !== null));
}

/** The folder part of a glob: every segment before the first wildcard. */
export function globFolder(glob: string): string | null {
  const parts = glob.split('/');
  const magic = parts.findIndex(p => /[*?[]/.test(p));
  const folder = (magic < 0 ? parts.slice(0, -1) : parts.slice(0, magic)).join(
    '/'
  );
  return folder === '' ? (glob.startsWith('/') ? '/' : null) : folder;
}

function unique(items: string[]): string[] {
  return Array.from(new Set(items));
}
