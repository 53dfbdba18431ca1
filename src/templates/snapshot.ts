/**
 * The environment snapshot's report. The env-snapshot cell displays a
 * bundle with this MIME type (and a text/plain line for people); the
 * templates plugin reads it from executed cells and records it in the
 * notebook's metadata, since a kernel cannot write notebook metadata.
 */
import type * as nbformat from '@jupyterlab/nbformat';

/** The MIME type of the snapshot report. */
export const SNAPSHOT_MIME =
  'application/vnd.jupyterlab-gpu-session.snapshot+json';

/** What is recorded at `metadata.gpu_session.env_snapshot`. */
export interface IEnvSnapshotRecord {
  /** The snapshot folder as the kernel wrote it (relative: to the kernel's folder). */
  path: string;
  /** The first GPU's name, or null when there was none. */
  gpu: string | null;
  /** When the front end saw the report (ISO 8601). */
  recorded: string;
}

/**
 * The last valid snapshot report among a cell's outputs, or null. The data
 * comes from the kernel: anything of the wrong shape is ignored.
 */
export function findSnapshotReport(
  outputs: ReadonlyArray<nbformat.IOutput>
): { path: string; gpu: string | null } | null {
  let found: { path: string; gpu: string | null } | null = null;
  for (const output of outputs) {
    if (
      output.output_type !== 'display_data' &&
      output.output_type !== 'execute_result'
    ) {
      continue;
    }
    const data = (output.data as nbformat.IMimeBundle | undefined)?.[
      SNAPSHOT_MIME
    ];
    if (!data || typeof data !== 'object' || Array.isArray(data)) {
      continue;
    }
    const { path, gpu } = data as { path?: unknown; gpu?: unknown };
    if (typeof path !== 'string' || path === '') {
      continue;
    }
    if (gpu !== null && gpu !== undefined && typeof gpu !== 'string') {
      continue;
    }
    found = { path, gpu: gpu ?? null };
  }
  return found;
}

/** The notebook's `gpu_session` metadata with the snapshot recorded. */
export function withSnapshot(
  metadata: unknown,
  report: { path: string; gpu: string | null },
  now: Date = new Date()
): { [key: string]: unknown } {
  const base =
    metadata && typeof metadata === 'object' && !Array.isArray(metadata)
      ? (metadata as { [key: string]: unknown })
      : {};
  const record: IEnvSnapshotRecord = {
    path: report.path,
    gpu: report.gpu,
    recorded: now.toISOString()
  };
  return { ...base, env_snapshot: record };
}
