/**
 * The stable command ids (DESIGN.md section 3.2). Menus, the palette,
 * shortcuts, warning actions and tests name commands through these.
 *
 * #### Notes
 * This module imports nothing, so any file (a pure rule, a view, a plugin)
 * can name a command without pulling in what registers it.
 */
export namespace CommandIDs {
  /** Open and focus the GPU sidebar. */
  export const open = 'gpu-session:open';
  /** Take a sample now, through the monitor's poll. */
  export const refresh = 'gpu-session:refresh';
  /** Insert a template's cells below the active cell; args `{ id }`. */
  export const insertTemplate = 'gpu-session:insert-template';
  /** Restart an idle kernel that holds GPU memory, after confirmation; args `{ kernelId }`. */
  export const restartIdleKernel = 'gpu-session:restart-idle-kernel';
  /** Ask the training loop (CheckpointKeeper) for a checkpoint now. */
  export const checkpointNow = 'gpu-session:checkpoint-now';
}
