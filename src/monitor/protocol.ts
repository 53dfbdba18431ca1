/**
 * The probe's output contract (DESIGN.md section 3.1), as TypeScript types.
 *
 * A value the hardware or driver does not report is `null`. Units are in the
 * key names. Every sample passes through `parseSample` before it reaches a
 * model or a view, so these types describe *validated* data.
 */
import type {
  ICheckpointLoop,
  ICheckpointRequestResult,
  IInterruptionNotice
} from './checkpointProtocol';

/** The schema version this front end understands. */
export const PROBE_SCHEMA_VERSION = 1;

/** A process that holds memory on a GPU. */
export interface IGpuProcess {
  pid: number;
  /** Untrusted: render as text only. */
  name: string | null;
  used_memory_bytes: number | null;
  /** The notebook kernel whose process tree holds this process, if asked for. */
  kernel_id: string | null;
}

/** One GPU as the probe saw it. */
export interface IGpuSample {
  index: number;
  uuid: string | null;
  /** Untrusted: render as text only. */
  name: string | null;
  memory_total_bytes: number | null;
  memory_used_bytes: number | null;
  utilization_gpu_percent: number | null;
  utilization_memory_percent: number | null;
  temperature_c: number | null;
  power_draw_w: number | null;
  power_limit_w: number | null;
  mig_enabled: boolean | null;
  processes: IGpuProcess[];
}

/** A disk (file system) holding one of the monitored paths. */
export interface IDiskSample {
  path: string;
  total_bytes: number | null;
  used_bytes: number | null;
  free_bytes: number | null;
  error: string | null;
}

/** The machine or container the kernels run in. */
export interface IHostSample {
  hostname: string | null;
  cpu_count: number | null;
  load_avg_1m: number | null;
  memory_total_bytes: number | null;
  memory_available_bytes: number | null;
  memory_used_bytes: number | null;
  /** The container's memory limit; null when unlimited. */
  memory_limit_bytes: number | null;
  swap_total_bytes: number | null;
  swap_used_bytes: number | null;
  boot_time: number | null;
  disks: IDiskSample[];
}

/** A notebook kernel's process tree. */
export interface IKernelSample {
  pid: number;
  pids: number[];
  rss_bytes: number | null;
  cpu_percent: number | null;
  process_count: number | null;
  /** Null when GPU memory cannot be attributed (e.g. in containers). */
  gpu_memory_bytes: number | null;
  cwd: string | null;
  /**
   * PyTorch's own numbers per CUDA device, present only for the kernel the
   * probe runs in (a subshell of it) and only when torch is already
   * imported there; null otherwise (the parser always sets it).
   */
  torch_cuda?: ITorchCudaDevice[] | null;
}

/** What `torch.cuda` says about one device inside the kernel. */
export interface ITorchCudaDevice {
  index: number;
  /** `torch.cuda.memory_allocated`: tensors alive now. */
  memory_allocated_bytes: number | null;
  /** `torch.cuda.memory_reserved`: held by the caching allocator. */
  memory_reserved_bytes: number | null;
}

/** The platform the probe detected (see docs/platforms.md). */
export interface IPlatformSample {
  id: string;
  name: string;
  /** What detected it, in words. */
  source: string;
  /** When the runtime (container or machine) started, unix seconds. */
  runtime_started_at: number | null;
  /** An exact hard end (e.g. a Slurm job's end time), unix seconds. */
  deadline_at: number | null;
  idle_timeout_s: number | null;
}

/** The newest file matching the checkpoint globs of the settings. */
export interface ICheckpointSample {
  patterns: string[];
  newest_path: string | null;
  /** Modification time, unix seconds. */
  newest_mtime: number | null;
  newest_size_bytes: number | null;
  matched: number;
  error: string | null;
  /** The training loops found beside the checkpoints ([] from older probes). */
  loops?: ICheckpointLoop[];
}

/** One validated probe sample. */
export interface IProbeSample {
  schema_version: number;
  timestamp: number;
  probe_duration_ms: number | null;
  probe_pid: number | null;
  gpu_source: 'nvml' | 'nvidia-smi' | null;
  gpu_error: string | null;
  gpus: IGpuSample[];
  host: IHostSample;
  /** Keyed by kernel id; null when that kernel was not found on the host. */
  kernels: Record<string, IKernelSample | null>;
  /** Null when the probe is older than platform detection. */
  platform: IPlatformSample | null;
  /** Null when no checkpoint globs were asked for. */
  checkpoint: ICheckpointSample | null;
  /**
   * The probe's own account of the sections it could not read
   * (`"meminfo: ...; disks: ..."`); null when every section was read.
   * Untrusted: render as text only. (Optional only so that samples built
   * by hand in tests need not name it; the parser always sets it.)
   */
  error?: string | null;
  /** A spot VM's interruption notice; null off the clouds (and older probes). */
  interruption?: IInterruptionNotice | null;
  /** What the checkpoint request sent with this sample's call gave. */
  checkpoint_request_result?: ICheckpointRequestResult | null;
}

/** What the front end asks the probe for on each tick. */
export interface IProbeRequest {
  kernel_ids: string[];
  disks: string[] | null;
  gpu_source: 'auto' | 'nvml' | 'nvidia-smi';
  nvidia_smi: string;
  checkpoint_globs: string[] | null;
  /**
   * The kernel the probe runs in, when it runs in a notebook's own kernel
   * (a subshell): the probe takes its pid from `os.getpid()` instead of
   * searching the process table, and adds torch's numbers. Left out (null)
   * for a monitor kernel.
   */
  self_kernel_id?: string | null;
  /** A checkpoint request to write before this sample (docs/checkpoints.md). */
  checkpoint_request?: ICheckpointRequest | null;
}

/** A checkpoint request, as the probe's `request_checkpoint` takes it. */
export interface ICheckpointRequest {
  /** Chosen by the front end; the loop's status record echoes it. */
  id: string;
  /** The checkpoint folders of the loops to ask. */
  directories: string[];
  /** For people: the status record and the sidebar show it. */
  reason: string;
  /** Unix seconds by which the save must be finished, or null: now. */
  save_by: number | null;
}
