/**
 * The checkpoint-train template tells the countdown where its checkpoints
 * land, so "last checkpoint 47 min ago" works without typing the path twice.
 */
import { PathExt } from '@jupyterlab/coreutils';

/** The id of the template that writes checkpoints. */
export const CHECKPOINT_TEMPLATE_ID = 'checkpoint-train';

/**
 * The glob of the checkpoints a checkpoint-train insertion will write, as
 * the probe reads it: absolute, `~/…`, or relative to the server's root
 * (the monitor kernel's working directory).
 *
 * The persistent copy is preferred: a checkpoint that never reached
 * persistent storage is lost with the machine, so its age is what matters.
 */
export function checkpointGlobFor(
  values: Record<string, string>,
  notebookPath: string
): string | null {
  const folder = (values['persistent_dir'] ?? '').trim()
    ? values['persistent_dir'].trim()
    : (values['checkpoint_dir'] ?? '').trim();
  if (!folder) {
    return null;
  }
  const base =
    folder.startsWith('/') || folder.startsWith('~')
      ? folder
      : PathExt.join(PathExt.dirname(notebookPath), folder);
  return `${escapeGlob(base.replace(/\/+$/, ''))}/*.pt`;
}

/** A path matched literally by a glob: `*`, `?` and `[` in brackets. */
export function escapeGlob(path: string): string {
  return path.replace(/[*?[]/g, c => `[${c}]`);
}

/** `globs` with `glob` added once, at the end. */
export function withGlob(globs: readonly string[], glob: string): string[] {
  return globs.includes(glob) ? [...globs] : [...globs, glob];
}
