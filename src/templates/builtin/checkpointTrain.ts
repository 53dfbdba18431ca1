/**
 * The built-in `checkpoint-train` template: a training run that resumes from
 * its newest checkpoint and logs to persistent storage, with a helper for
 * time-based, atomic, verified checkpoints. Its id, label and description
 * are in ../builtinIndex.ts (they are needed at start); this file, loaded on
 * first use, holds the rest as data.
 */
import { IBuiltinBody } from './body';

/**
 * Version, variables and cells of `checkpoint-train`, with `keeperLines`
 * (the lines of jupyterlab_gpu_session/checkpoint.py) pasted in: the
 * labextension fetches them (keeperAsset.ts), tests read them from the
 * generated keeperSource.ts.
 */
export const checkpointTrain = (
  keeperLines: ReadonlyArray<string>
): IBuiltinBody => ({
  version: 1,
  variables: [
    {
      name: 'script',
      label: 'Training script',
      kind: 'path',
      default: 'train.py'
    },
    {
      name: 'python',
      label: 'Python command',
      kind: 'text',
      default: 'python3',
      description:
        'The Python that runs the script: python3 on PATH, or a full path.'
    },
    {
      name: 'checkpoint_dir',
      label: 'Checkpoint folder (local, fast)',
      kind: 'path',
      default: 'checkpoints'
    },
    {
      name: 'resume_flag',
      label: 'Resume option of the script',
      kind: 'text',
      default: '--resume',
      description: "Given with the newest checkpoint's path: --resume PATH."
    },
    {
      name: 'log_file',
      label: 'Log file (persistent storage)',
      kind: 'path',
      default: '~/gpu-session/train.log'
    },
    {
      name: 'persistent_dir',
      label: 'Checkpoint copies (persistent storage)',
      kind: 'path',
      default: '~/gpu-session/checkpoints',
      optional: true
    },
    {
      name: 'every_minutes',
      label: 'Checkpoint every N minutes',
      kind: 'integer',
      default: '30',
      minimum: 1,
      maximum: 1440
    },
    {
      name: 'keep_last',
      label: 'Checkpoints kept',
      kind: 'integer',
      default: '3',
      minimum: 1,
      maximum: 1000
    },
    {
      // Follows the platform: a Slurm job gets the note on the scheduler's
      // early signal, everybody else leaves it out.
      name: 'scheduler',
      label: 'Batch scheduler',
      kind: 'choice',
      choices: ['slurm', 'none'],
      default: 'none',
      platformDefault: true,
      description:
        'slurm: add how to make Slurm send SIGUSR1 before the time limit; none: no scheduler.'
    }
  ],
  cells: [
    {
      type: 'markdown',
      source: [
        '### Checkpoint-safe training',
        "The first cell runs {{md:script}} with {{md:python}}; when {{md:checkpoint_dir}} holds checkpoints (`*.pt`), it adds {{md:resume_flag}} and the newest one. Everything the script prints is appended to {{md:log_file}}, and the cell fails with the script's exit status. The second cell defines `CheckpointKeeper` for training loops: a checkpoint every {{int:every_minutes}} minutes (not every N steps), written to a temporary file and renamed (a save cut short never replaces a good checkpoint), the last {{int:keep_last}} kept, and each one copied to {{md:persistent_dir}} and checked (size, and that the copy loads), because synced folders such as Drive write late. It also saves when asked: the GPU sidebar's *Checkpoint now*, by itself some minutes before the session ends and on a spot VM's interruption notice (a request file beside the checkpoints), and on SIGUSR1 and SIGTERM. Use it as `with CheckpointKeeper() as keeper:` around the loop, with `keeper.maybe_save(...)` once per step."
      ]
    },
    {
      type: 'code',
      source: [
        '%%bash',
        '# Resume from the newest checkpoint, append the log, keep the exit status.',
        'set -uo pipefail',
        'python_cmd={{sh:python}}',
        'script={{sh:script}}',
        'checkpoint_dir={{sh:checkpoint_dir}}',
        'resume_flag={{sh:resume_flag}}',
        'log_file={{sh:log_file}}',
        "case $checkpoint_dir in '~/'*) checkpoint_dir=$HOME/${checkpoint_dir#'~/'} ;; esac",
        "case $log_file in '~/'*) log_file=$HOME/${log_file#'~/'} ;; esac",
        'mkdir -p -- "$checkpoint_dir" || exit 1',
        'log_dir=${log_file%/*}',
        'if [ "$log_dir" != "$log_file" ] && [ -n "$log_dir" ]; then',
        '  mkdir -p -- "$log_dir" || exit 1',
        'fi',
        'latest=',
        'for candidate in "$checkpoint_dir"/*.pt; do',
        '  [ -f "$candidate" ] || continue',
        '  if [ -z "$latest" ] || ! [ "$latest" -nt "$candidate" ]; then',
        '    latest=$candidate',
        '  fi',
        'done',
        'args=()',
        'if [ -n "$latest" ]; then',
        '  args=("$resume_flag" "$latest")',
        '  printf \'Resuming from %s\\n\' "$latest"',
        'else',
        '  printf \'No checkpoint in %s yet: starting from the beginning\\n\' "$checkpoint_dir"',
        'fi',
        'printf \'=== %s: %s %s\\n\' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$script" "${args[*]-}" >>"$log_file"',
        '"$python_cmd" -u -- "$script" ${args[@]+"${args[@]}"} 2>&1 | tee -a -- "$log_file"',
        'status=$?',
        'printf \'Exit status %s; log: %s\\n\' "$status" "$log_file"',
        'exit "$status"'
      ]
    },
    {
      type: 'code',
      source: [
        ...keeperLines,
        '',
        '',
        "# The folders and interval of this notebook (the template's values).",
        'CheckpointKeeper.default_directory = os.path.expanduser({{py:checkpoint_dir}})',
        'CheckpointKeeper.default_persistent_dir = os.path.expanduser({{py:persistent_dir}})',
        'CheckpointKeeper.default_every_minutes = {{int:every_minutes}}',
        'CheckpointKeeper.default_keep_last = {{int:keep_last}}',
        "print(f'CheckpointKeeper: {CheckpointKeeper.default_directory!r}, every '",
        "      f'{CheckpointKeeper.default_every_minutes} min, last '",
        "      f'{CheckpointKeeper.default_keep_last} kept, copies in '",
        "      f'{CheckpointKeeper.default_persistent_dir!r}; saves on request, SIGUSR1 and SIGTERM')"
      ]
    },
    {
      type: 'markdown',
      when: { scheduler: ['slurm'] },
      source: [
        '#### In a Slurm job',
        "Add `#SBATCH --signal=B:USR1@300` to the job script: the scheduler then sends SIGUSR1 five minutes before the time limit, and `CheckpointKeeper` saves at the next step and trains on. Start the training with `exec` or `srun` so that its process gets the signal. SIGTERM comes at the limit itself and saves once more before the exit. The sidebar counts down to the job's end time from the scheduler. See docs/platforms.md."
      ]
    }
  ]
});
