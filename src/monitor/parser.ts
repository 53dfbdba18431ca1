/**
 * Turns a probe reply into a validated `IProbeSample`, or a plain reason.
 *
 * Nothing from the kernel is trusted or cast: every field is checked, long
 * strings and lists are cut, and the first bad field is named in the error.
 */
import {
  readInterruption,
  readLoops,
  readRequestResult
} from './checkpointProtocol';
import {
  IDiskSample,
  IGpuProcess,
  IGpuSample,
  ICheckpointSample,
  IHostSample,
  IPlatformSample,
  IKernelSample,
  IProbeSample,
  ITorchCudaDevice,
  PROBE_SCHEMA_VERSION
} from './protocol';
import {
  field,
  readArray,
  readBooleanOrNull,
  readInteger,
  readNumber,
  readNumberOrNull,
  readObject,
  readString,
  readStringOrNull,
  ValidationError
} from './validate';

/** The outcome of parsing one reply. */
export type ParseResult =
  | { ok: true; sample: IProbeSample }
  /**
   * `fromProbe` is true when the probe itself said the sample failed
   * (`host: null` with an `error`): `error` then holds the probe's words.
   */
  | { ok: false; error: string; fromProbe?: boolean };

/** Largest reply accepted, in characters of base64 text. */
export const MAX_REPLY_LENGTH = 4 * 1024 * 1024;

/**
 * Decode the `text/plain` repr of the probe's `sample_b64()` result.
 *
 * #### Notes
 * A user expression comes back as the Python *repr* of its value. The probe
 * returns base64 text, whose repr is the text in single quotes, so nothing
 * in the JSON (quotes, backslashes, newlines) can be mangled on the way.
 */
export function decodeReply(reprText: string): ParseResult {
  if (reprText.length > MAX_REPLY_LENGTH) {
    return {
      ok: false,
      error: `The probe reply is too large (${reprText.length} characters).`
    };
  }
  const match = /^'([A-Za-z0-9+/]*={0,2})'$/.exec(reprText.trim());
  if (!match) {
    return {
      ok: false,
      error: `The probe reply is not base64 text: ${preview(reprText)}`
    };
  }
  let json: unknown;
  try {
    const bytes = Uint8Array.from(atob(match[1]), c => c.charCodeAt(0));
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (reason) {
    return {
      ok: false,
      error: `The probe reply is not valid JSON: ${String(reason)}`
    };
  }
  return parseSample(json);
}

/** Validate an already-decoded JSON value as a probe sample. */
export function parseSample(json: unknown): ParseResult {
  const failed = probeFailure(json);
  if (failed !== null) {
    return { ok: false, error: failed, fromProbe: true };
  }
  try {
    return { ok: true, sample: readSample(json) };
  } catch (reason) {
    if (reason instanceof ValidationError) {
      return {
        ok: false,
        error: `The probe sample is malformed: ${reason.message}.`
      };
    }
    throw reason;
  }
}

/**
 * The probe's own reason when it could not read the machine at all: it
 * then sends `host: null` and says why in `error` (docs/probe.md). Null for
 * any other reply, which the full validation reads.
 */
function probeFailure(json: unknown): string | null {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return null;
  }
  const root = json as Record<string, unknown>;
  if (root.host !== null || typeof root.error !== 'string' || !root.error) {
    return null;
  }
  return `The probe could not read this machine: ${readString(root.error, 'sample.error')}`;
}

function readSample(json: unknown): IProbeSample {
  const root = readObject(json, 'sample');
  const version = readInteger(
    field(root, 'schema_version', 'sample'),
    'sample.schema_version'
  );
  if (version !== PROBE_SCHEMA_VERSION) {
    throw new ValidationError(
      'sample.schema_version',
      `${PROBE_SCHEMA_VERSION} (the version this extension understands)`,
      version
    );
  }
  const source = field(root, 'gpu_source', 'sample');
  if (source !== null && source !== 'nvml' && source !== 'nvidia-smi') {
    throw new ValidationError(
      'sample.gpu_source',
      '"nvml", "nvidia-smi" or null',
      source
    );
  }
  return {
    schema_version: version,
    timestamp: readNumber(
      field(root, 'timestamp', 'sample'),
      'sample.timestamp'
    ),
    probe_duration_ms: optionalNumber(root, 'probe_duration_ms', 'sample'),
    probe_pid: optionalNumber(root, 'probe_pid', 'sample'),
    gpu_source: source,
    gpu_error: readStringOrNull(
      field(root, 'gpu_error', 'sample'),
      'sample.gpu_error'
    ),
    gpus: readArray(field(root, 'gpus', 'sample'), 'sample.gpus', readGpu),
    host: readHost(field(root, 'host', 'sample'), 'sample.host'),
    kernels: readKernels(field(root, 'kernels', 'sample'), 'sample.kernels'),
    platform: optional(root, 'platform', 'sample.platform', readPlatform),
    checkpoint: optional(
      root,
      'checkpoint',
      'sample.checkpoint',
      readCheckpoint
    ),
    error: Object.prototype.hasOwnProperty.call(root, 'error')
      ? readStringOrNull(root.error, 'sample.error')
      : null,
    interruption: optional(
      root,
      'interruption',
      'sample.interruption',
      readInterruption
    ),
    checkpoint_request_result: optional(
      root,
      'checkpoint_request_result',
      'sample.checkpoint_request_result',
      readRequestResult
    )
  };
}

function readPlatform(value: unknown, path: string): IPlatformSample {
  const platform = readObject(value, path);
  const num = (key: string) =>
    readNumberOrNull(field(platform, key, path), `${path}.${key}`);
  return {
    id: readString(field(platform, 'id', path), `${path}.id`),
    name: readString(field(platform, 'name', path), `${path}.name`),
    source: readString(field(platform, 'source', path), `${path}.source`),
    runtime_started_at: num('runtime_started_at'),
    deadline_at: num('deadline_at'),
    idle_timeout_s: num('idle_timeout_s')
  };
}

function readCheckpoint(value: unknown, path: string): ICheckpointSample {
  const checkpoint = readObject(value, path);
  const num = (key: string) =>
    readNumberOrNull(field(checkpoint, key, path), `${path}.${key}`);
  return {
    patterns: readArray(
      field(checkpoint, 'patterns', path),
      `${path}.patterns`,
      readString
    ),
    newest_path: readStringOrNull(
      field(checkpoint, 'newest_path', path),
      `${path}.newest_path`
    ),
    newest_mtime: num('newest_mtime'),
    newest_size_bytes: num('newest_size_bytes'),
    matched: readInteger(field(checkpoint, 'matched', path), `${path}.matched`),
    error: readStringOrNull(field(checkpoint, 'error', path), `${path}.error`),
    loops: optional(checkpoint, 'loops', `${path}.loops`, readLoops) ?? []
  };
}

/** Read an optional key that may be absent or null. */
function optional<T>(
  record: Record<string, unknown>,
  key: string,
  path: string,
  read: (value: unknown, path: string) => T
): T | null {
  const value = record[key];
  return value === undefined || value === null ? null : read(value, path);
}

function readGpu(value: unknown, path: string): IGpuSample {
  const gpu = readObject(value, path);
  const num = (key: string) =>
    readNumberOrNull(field(gpu, key, path), `${path}.${key}`);
  return {
    index: readInteger(field(gpu, 'index', path), `${path}.index`),
    uuid: readStringOrNull(field(gpu, 'uuid', path), `${path}.uuid`),
    name: readStringOrNull(field(gpu, 'name', path), `${path}.name`),
    memory_total_bytes: num('memory_total_bytes'),
    memory_used_bytes: num('memory_used_bytes'),
    utilization_gpu_percent: num('utilization_gpu_percent'),
    utilization_memory_percent: num('utilization_memory_percent'),
    temperature_c: num('temperature_c'),
    power_draw_w: num('power_draw_w'),
    power_limit_w: num('power_limit_w'),
    mig_enabled: readBooleanOrNull(
      field(gpu, 'mig_enabled', path),
      `${path}.mig_enabled`
    ),
    processes: readArray(
      field(gpu, 'processes', path),
      `${path}.processes`,
      readGpuProcess
    )
  };
}

function readGpuProcess(value: unknown, path: string): IGpuProcess {
  const proc = readObject(value, path);
  const kernelId = Object.prototype.hasOwnProperty.call(proc, 'kernel_id')
    ? readStringOrNull(proc.kernel_id, `${path}.kernel_id`)
    : null;
  return {
    pid: readInteger(field(proc, 'pid', path), `${path}.pid`),
    name: readStringOrNull(field(proc, 'name', path), `${path}.name`),
    used_memory_bytes: readNumberOrNull(
      field(proc, 'used_memory_bytes', path),
      `${path}.used_memory_bytes`
    ),
    kernel_id: kernelId
  };
}

function readHost(value: unknown, path: string): IHostSample {
  const host = readObject(value, path);
  const num = (key: string) =>
    readNumberOrNull(field(host, key, path), `${path}.${key}`);
  return {
    hostname: readStringOrNull(
      field(host, 'hostname', path),
      `${path}.hostname`
    ),
    cpu_count: num('cpu_count'),
    load_avg_1m: num('load_avg_1m'),
    memory_total_bytes: num('memory_total_bytes'),
    memory_available_bytes: num('memory_available_bytes'),
    memory_used_bytes: num('memory_used_bytes'),
    memory_limit_bytes: num('memory_limit_bytes'),
    swap_total_bytes: num('swap_total_bytes'),
    swap_used_bytes: num('swap_used_bytes'),
    boot_time: num('boot_time'),
    disks: readArray(field(host, 'disks', path), `${path}.disks`, readDisk)
  };
}

function readDisk(value: unknown, path: string): IDiskSample {
  const disk = readObject(value, path);
  const num = (key: string) =>
    readNumberOrNull(field(disk, key, path), `${path}.${key}`);
  return {
    path: readString(field(disk, 'path', path), `${path}.path`),
    total_bytes: num('total_bytes'),
    used_bytes: num('used_bytes'),
    free_bytes: num('free_bytes'),
    error: Object.prototype.hasOwnProperty.call(disk, 'error')
      ? readStringOrNull(disk.error, `${path}.error`)
      : null
  };
}

function readKernels(
  value: unknown,
  path: string
): Record<string, IKernelSample | null> {
  const kernels = readObject(value, path);
  const result: Record<string, IKernelSample | null> = {};
  for (const id of Object.keys(kernels).slice(0, 256)) {
    const entryPath = `${path}[${JSON.stringify(id)}]`;
    result[id] =
      kernels[id] === null ? null : readKernel(kernels[id], entryPath);
  }
  return result;
}

function readKernel(value: unknown, path: string): IKernelSample {
  const kernel = readObject(value, path);
  const num = (key: string) =>
    readNumberOrNull(field(kernel, key, path), `${path}.${key}`);
  const pid = readInteger(field(kernel, 'pid', path), `${path}.pid`);
  return {
    pid,
    pids: Object.prototype.hasOwnProperty.call(kernel, 'pids')
      ? readArray(kernel.pids, `${path}.pids`, readInteger)
      : [pid],
    rss_bytes: num('rss_bytes'),
    cpu_percent: num('cpu_percent'),
    process_count: num('process_count'),
    gpu_memory_bytes: num('gpu_memory_bytes'),
    cwd: Object.prototype.hasOwnProperty.call(kernel, 'cwd')
      ? readStringOrNull(kernel.cwd, `${path}.cwd`)
      : null,
    torch_cuda: optional(kernel, 'torch_cuda', `${path}.torch_cuda`, (v, p) =>
      readArray(v, p, readTorchDevice)
    )
  };
}

function readTorchDevice(value: unknown, path: string): ITorchCudaDevice {
  const device = readObject(value, path);
  const num = (key: string) =>
    readNumberOrNull(field(device, key, path), `${path}.${key}`);
  return {
    index: readInteger(field(device, 'index', path), `${path}.index`),
    memory_allocated_bytes: num('memory_allocated_bytes'),
    memory_reserved_bytes: num('memory_reserved_bytes')
  };
}

function optionalNumber(
  record: Record<string, unknown>,
  key: string,
  path: string
): number | null {
  return Object.prototype.hasOwnProperty.call(record, key)
    ? readNumberOrNull(record[key], `${path}.${key}`)
    : null;
}

function preview(text: string): string {
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}
