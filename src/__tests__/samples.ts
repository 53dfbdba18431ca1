/**
 * Probe samples for tests, shaped exactly as probe.py prints them.
 */

const GIB = 1024 ** 3;
const MIB = 1024 ** 2;

/** A JSON-like object that tests may break on purpose. */
export type RawSample = { [key: string]: unknown };

/** A sample of a host with one Tesla T4 and one notebook kernel. */
export function teslaT4Sample(kernelId = 'kernel-a'): RawSample {
  return {
    schema_version: 1,
    timestamp: 1795000000.5,
    probe_duration_ms: 0.8,
    probe_pid: 4242,
    gpu_source: 'nvidia-smi',
    gpu_error: null,
    gpus: [
      {
        index: 0,
        uuid: 'GPU-0f1e2d3c',
        name: 'Tesla T4',
        memory_total_bytes: 15360 * MIB,
        memory_used_bytes: 1024 * MIB,
        utilization_gpu_percent: 37,
        utilization_memory_percent: 12,
        temperature_c: 40,
        power_draw_w: 27.5,
        power_limit_w: 70,
        mig_enabled: false,
        processes: [
          {
            pid: 5762,
            name: 'python',
            used_memory_bytes: 1005 * MIB,
            kernel_id: kernelId
          },
          {
            pid: 900,
            name: '/usr/lib/xorg/Xorg',
            used_memory_bytes: 22 * MIB,
            kernel_id: null
          }
        ]
      }
    ],
    host: {
      hostname: 'node-7',
      cpu_count: 8,
      load_avg_1m: 1.25,
      memory_total_bytes: 64 * GIB,
      memory_available_bytes: 40 * GIB,
      memory_used_bytes: 24 * GIB,
      memory_limit_bytes: null,
      swap_total_bytes: 0,
      swap_used_bytes: 0,
      boot_time: 1794990000,
      disks: [
        {
          path: '/home/user',
          total_bytes: 100 * GIB,
          used_bytes: 60 * GIB,
          free_bytes: 40 * GIB,
          error: null
        }
      ]
    },
    kernels: {
      [kernelId]: {
        pid: 5762,
        pids: [5762, 5790],
        rss_bytes: 2 * GIB,
        cpu_percent: 97.5,
        process_count: 2,
        gpu_memory_bytes: 1005 * MIB,
        cwd: '/home/user'
      }
    }
  };
}

/** A sample of a CPU-only container with a memory limit. */
export function noGpuSample(): RawSample {
  const sample = teslaT4Sample();
  sample.gpu_source = null;
  sample.gpu_error = 'nvidia-smi was not found on PATH';
  sample.gpus = [];
  (sample.host as RawSample).memory_limit_bytes = 16 * GIB;
  (sample.host as RawSample).memory_used_bytes = 3 * GIB;
  const kernel = (sample.kernels as RawSample)['kernel-a'] as RawSample;
  kernel.gpu_memory_bytes = null;
  return sample;
}

/** Base64 repr text as a kernel returns it for `sample_b64()`. */
export function replyText(json: string): string {
  return `'${Buffer.from(json, 'utf-8').toString('base64')}'`;
}
