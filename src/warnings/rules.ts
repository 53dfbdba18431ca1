/**
 * The warning rules: pure functions of the history, the latest sample, the
 * page's kernels, the settings and the time. Each returns the warnings that
 * hold now, with their numbers, what to do, and the actions to offer.
 *
 * Hysteresis: a rule raises at its threshold, and a warning already active
 * (its key in `input.active`) clears only once the value is back past the
 * threshold by `hysteresisPercent`, so data hovering at a threshold does
 * not make a warning flap.
 */
import { CommandIDs } from '../commands';
import { SeriesKeys } from '../monitor/monitor';
import { IGpuSample } from '../monitor/protocol';
import {
  formatBytes,
  formatClock,
  formatDuration,
  formatPercent
} from '../ui/format';
import { formatCost } from './format';
import {
  IHistoryView,
  IRuleInput,
  IWarningFinding,
  WarningRule
} from './types';

const GIB = 1024 ** 3;

/**
 * The trailing run of "quiet" points: walking back from the newest point,
 * the points for which `quiet` is true, with no stretch longer than
 * `maxGapMs` without a valid point (a longer gap ends the run: nothing is
 * known about it). `quiet` returns null for a point with a missing value
 * (a gap). The newest valid point must be recent (within `maxGapMs`).
 */
export function trailingRun(
  history: IHistoryView,
  keys: string[],
  quiet: (values: number[]) => boolean | null,
  now: number,
  maxGapMs: number
): { since: number; peaks: number[] } | null {
  const series = keys.map(key => history.points(key));
  const times = series[0]?.times ?? new Float64Array(0);
  let since: number | null = null;
  let newer = now;
  const peaks = keys.map(() => -Infinity);
  for (let i = times.length - 1; i >= 0; i--) {
    const t = times[i];
    if (t > now) {
      continue;
    }
    const values = series.map(s => s.values[i]);
    const q = values.some(v => !Number.isFinite(v)) ? null : quiet(values);
    if (q === null) {
      continue;
    }
    if (!q || newer - t > maxGapMs) {
      break;
    }
    since = t;
    newer = t;
    values.forEach((v, k) => (peaks[k] = Math.max(peaks[k], v)));
  }
  return since === null ? null : { since, peaks };
}

/** The newest finite value of `key` no older than `maxGapMs`, or null. */
export function lastFinite(
  history: IHistoryView,
  key: string,
  now: number,
  maxGapMs: number
): number | null {
  const { times, values } = history.points(key, now - maxGapMs);
  for (let i = values.length - 1; i >= 0; i--) {
    if (times[i] <= now && Number.isFinite(values[i])) {
      return values[i];
    }
  }
  return null;
}

/** 1. A GPU is attached but idle: low utilization and memory for N minutes. */
export const gpuIdleRule: WarningRule = input => {
  const { settings, sample, trans, now } = input;
  const s = settings.gpuIdle;
  if (!s.enabled || !sample || sample.gpus.length === 0) {
    return [];
  }
  const key = 'gpu-idle';
  const margin = input.active.has(key) ? settings.hysteresisPercent : 0;
  const idle: { gpu: IGpuSample; since: number }[] = [];
  for (const gpu of sample.gpus) {
    const run = trailingRun(
      input.history,
      [SeriesKeys.gpuUtilization(gpu.index), SeriesKeys.gpuMemory(gpu.index)],
      ([util, memory]) =>
        util < s.utilizationPercent + margin &&
        memory < s.memoryPercent + margin,
      now,
      input.maxGapMs
    );
    if (run && now - run.since >= s.minutes * 60_000) {
      idle.push({ gpu, since: run.since });
    }
  }
  if (idle.length === 0) {
    return [];
  }
  const since = Math.min(...idle.map(i => i.since));
  // Whole minutes, so the text (and its price) changes once a minute.
  const idleMs = Math.floor((now - since) / 60_000) * 60_000;
  const duration = formatDuration(idleMs, 'minute');
  const cost = formatCost(idleMs, settings.hourlyPrice, settings.currency);
  const names = idle.map(i => gpuLabel(i.gpu)).join(', ');
  const title =
    idle.length === 1
      ? cost
        ? trans.__(
            'GPU attached but not used: %1 idle %2, about %3',
            names,
            duration,
            cost
          )
        : trans.__('GPU attached but not used: %1 idle %2', names, duration)
      : cost
        ? trans.__(
            '%1 GPUs attached but not used: idle %2, about %3',
            idle.length,
            duration,
            cost
          )
        : trans.__(
            '%1 GPUs attached but not used: idle %2',
            idle.length,
            duration
          );
  return [
    {
      key,
      rule: 'gpu-idle',
      severity: 'warning',
      title,
      detail: trans.__(
        '%1: utilization under %2% and memory under %3% since %4.',
        names,
        s.utilizationPercent,
        s.memoryPercent,
        formatClock(since)
      ),
      advice: trans.__(
        'Check that your code runs on the GPU (the GPU check cell shows it), or move to a machine without one and stop paying for it.'
      ),
      actions: [
        {
          label: trans.__('Insert GPU check'),
          caption: trans.__('Insert a cell that checks the GPU is used'),
          command: CommandIDs.insertTemplate,
          args: { id: 'gpu-check' }
        }
      ]
    }
  ];
};

/** 2. An idle notebook kernel holds GPU memory. */
export const idleKernelGpuMemoryRule: WarningRule = input => {
  const { settings, sample, trans, now } = input;
  const s = settings.idleKernelGpuMemory;
  if (!s.enabled || !sample) {
    return [];
  }
  const findings: IWarningFinding[] = [];
  for (const kernel of input.kernels) {
    const key = `idle-kernel-gpu-memory:${kernel.id}`;
    const bytes = sample.kernels[kernel.id]?.gpu_memory_bytes ?? null;
    if (
      kernel.status !== 'idle' ||
      kernel.idleSince === null ||
      bytes === null
    ) {
      continue;
    }
    const factor = input.active.has(key)
      ? 1 - settings.hysteresisPercent / 100
      : 1;
    const idleMs = now - kernel.idleSince;
    if (bytes <= s.memoryGiB * GIB * factor || idleMs < s.minutes * 60_000) {
      continue;
    }
    findings.push({
      key,
      rule: 'idle-kernel-gpu-memory',
      severity: 'warning',
      title: trans.__(
        '%1 holds %2 of GPU memory while idle for %3',
        kernel.path,
        formatBytes(bytes),
        formatDuration(idleMs, 'minute')
      ),
      detail: trans.__(
        'The kernel of %1 has run nothing since %2 but keeps %3 on the GPU (more than %4 GiB).',
        kernel.path,
        formatClock(kernel.idleSince),
        formatBytes(bytes),
        s.memoryGiB
      ),
      advice: trans.__(
        'Free the tensors you no longer need (del them, then torch.cuda.empty_cache()), or restart the kernel to give the memory back.'
      ),
      actions: [
        {
          label: trans.__('Restart kernel…'),
          caption: trans.__('Restart this kernel after confirmation'),
          command: CommandIDs.restartIdleKernel,
          args: { kernelId: kernel.id }
        }
      ]
    });
  }
  return findings;
};

/** 3. GPU memory nearly full: the next larger batch runs out of memory. */
export const gpuMemoryFullRule: WarningRule = input => {
  const { settings, sample, trans } = input;
  const s = settings.gpuMemoryFull;
  if (!s.enabled || !sample) {
    return [];
  }
  const key = 'gpu-memory-full';
  const threshold =
    s.percent - (input.active.has(key) ? settings.hysteresisPercent : 0);
  const full: { gpu: IGpuSample; percent: number }[] = [];
  for (const gpu of sample.gpus) {
    const percent = lastFinite(
      input.history,
      SeriesKeys.gpuMemory(gpu.index),
      input.now,
      input.maxGapMs
    );
    if (percent !== null && percent > threshold) {
      full.push({ gpu, percent });
    }
  }
  if (full.length === 0) {
    return [];
  }
  full.sort((a, b) => b.percent - a.percent);
  const worst = full[0];
  const each = full
    .map(f =>
      trans.__(
        '%1 at %2 (%3 of %4)',
        gpuLabel(f.gpu),
        formatPercent(f.percent),
        formatBytes(f.gpu.memory_used_bytes),
        formatBytes(f.gpu.memory_total_bytes)
      )
    )
    .join('; ');
  return [
    {
      key,
      rule: 'gpu-memory-full',
      severity: 'warning',
      title:
        full.length === 1
          ? trans.__(
              'GPU memory %1 full on %2: risk of running out of memory',
              formatPercent(worst.percent),
              gpuLabel(worst.gpu)
            )
          : trans.__(
              'GPU memory up to %1 full on %2 GPUs: risk of running out of memory',
              formatPercent(worst.percent),
              full.length
            ),
      detail: trans.__('Above %1%: %2.', s.percent, each),
      advice: trans.__(
        'A larger batch or model will fail with CUDA out of memory. Lower the batch size, train in mixed precision (torch.autocast, bf16/fp16), or use gradient accumulation to keep the effective batch.'
      ),
      actions: [
        {
          label: trans.__('Open GPU sidebar'),
          command: CommandIDs.open
        }
      ]
    }
  ];
};

/** 4. RAM nearly full: the kernel may be killed. */
export const ramFullRule: WarningRule = input => {
  const { settings, sample, trans } = input;
  const s = settings.ramFull;
  if (!s.enabled || !sample) {
    return [];
  }
  const key = 'ram-full';
  const percent = lastFinite(
    input.history,
    SeriesKeys.ram,
    input.now,
    input.maxGapMs
  );
  const threshold =
    s.percent - (input.active.has(key) ? settings.hysteresisPercent : 0);
  if (percent === null || percent <= threshold) {
    return [];
  }
  const host = sample.host;
  const limited = host.memory_limit_bytes !== null;
  const total = host.memory_limit_bytes ?? host.memory_total_bytes;
  return [
    {
      key,
      rule: 'ram-full',
      severity: 'warning',
      title: limited
        ? trans.__(
            'RAM %1 of the container limit: the kernel may be killed',
            formatPercent(percent)
          )
        : trans.__(
            'RAM %1 full: the kernel may be killed',
            formatPercent(percent)
          ),
      detail: trans.__(
        '%1 used of %2 (warning above %3%).',
        formatBytes(host.memory_used_bytes),
        formatBytes(total),
        s.percent
      ),
      advice: trans.__(
        'At the limit the kernel is killed and every variable is lost. Save your work, delete large objects (del, gc.collect()), load data in chunks or with fewer DataLoader workers.'
      ),
      actions: [
        {
          label: trans.__('Open GPU sidebar'),
          command: CommandIDs.open
        }
      ]
    }
  ];
};

/** 5. Memory requested but unused: a smaller machine would do. */
export const ramUnusedRule: WarningRule = input => {
  const { settings, sample, trans, now } = input;
  const s = settings.ramUnused;
  if (!s.enabled || !sample) {
    return [];
  }
  const host = sample.host;
  const limit = host.memory_limit_bytes ?? host.memory_total_bytes;
  if (limit === null || limit <= s.minimumLimitGiB * GIB) {
    return [];
  }
  const key = 'ram-unused';
  const margin = input.active.has(key) ? settings.hysteresisPercent : 0;
  const run = trailingRun(
    input.history,
    [SeriesKeys.ram],
    ([ram]) => ram < s.peakPercent + margin,
    now,
    input.maxGapMs
  );
  if (!run || now - run.since < s.minutes * 60_000) {
    return [];
  }
  const peak = run.peaks[0];
  const spanMs = Math.floor((now - run.since) / 60_000) * 60_000;
  return [
    {
      key,
      rule: 'ram-unused',
      severity: 'info',
      title: trans.__(
        'RAM peak %1 of %2 in %3: a smaller machine would do',
        formatBytes((peak / 100) * limit),
        formatBytes(limit),
        formatDuration(spanMs, 'minute')
      ),
      detail: trans.__(
        'Peak RAM use stayed at %1 of the %2 %3 since %4 (under %5%).',
        formatPercent(peak),
        formatBytes(limit),
        host.memory_limit_bytes !== null
          ? trans.__('limit')
          : trans.__('of the host'),
        formatClock(run.since),
        s.peakPercent
      ),
      advice: trans.__(
        'A smaller machine or the standard RAM option would do, and frees the large one for others.'
      ),
      actions: []
    }
  ];
};

/** 6. A monitored disk is nearly full. */
export const diskFullRule: WarningRule = input => {
  const { settings, sample, trans } = input;
  const s = settings.diskFull;
  if (!s.enabled || !sample) {
    return [];
  }
  const findings: IWarningFinding[] = [];
  const seen = new Set<string>();
  for (const disk of sample.host.disks) {
    if (disk.total_bytes === null || disk.used_bytes === null) {
      continue;
    }
    if (disk.total_bytes <= 0) {
      continue;
    }
    // Two paths on one file system are one disk.
    const identity = `${disk.total_bytes}/${disk.used_bytes}/${disk.free_bytes}`;
    if (seen.has(identity)) {
      continue;
    }
    const key = `disk-full:${disk.path}`;
    const percent = (100 * disk.used_bytes) / disk.total_bytes;
    const threshold =
      s.percent - (input.active.has(key) ? settings.hysteresisPercent : 0);
    if (percent <= threshold) {
      continue;
    }
    seen.add(identity);
    findings.push({
      key,
      rule: 'disk-full',
      severity: 'warning',
      title: trans.__(
        'Disk of %1 %2 full (%3 free)',
        disk.path,
        formatPercent(percent),
        formatBytes(disk.free_bytes)
      ),
      detail: trans.__(
        '%1 used of %2 (warning above %3%).',
        formatBytes(disk.used_bytes),
        formatBytes(disk.total_bytes),
        s.percent
      ),
      advice: trans.__(
        'Saving a checkpoint or a download may fail. Delete old checkpoints and caches (~/.cache/pip, ~/.cache/huggingface), or write to a larger volume.'
      ),
      actions: []
    });
  }
  return findings;
};

/** 7. A kernel died while RAM was near its limit: most likely killed for it. */
export const kernelDiedNearLimitRule: WarningRule = input => {
  const { settings, trans, now } = input;
  const s = settings.kernelDiedNearLimit;
  if (!s.enabled) {
    return [];
  }
  const findings: IWarningFinding[] = [];
  for (const death of input.deaths) {
    const last = death.last;
    if (
      now - death.at > s.showMinutes * 60_000 ||
      !last ||
      last.ramPercent === null ||
      last.ramPercent < s.percent ||
      // Numbers from long before the death say nothing about it.
      death.at - last.at > input.maxGapMs
    ) {
      continue;
    }
    const parts = [
      trans.__(
        'RAM was at %1 (%2 of %3)',
        formatPercent(last.ramPercent),
        formatBytes(last.ramUsedBytes),
        formatBytes(last.ramLimitBytes)
      )
    ];
    if (last.rssBytes !== null) {
      parts.push(trans.__('the kernel used %1', formatBytes(last.rssBytes)));
    }
    if (last.gpuMemoryBytes !== null) {
      parts.push(
        trans.__('and %1 of GPU memory', formatBytes(last.gpuMemoryBytes))
      );
    }
    findings.push({
      key: `kernel-died-near-limit:${death.kernelId}`,
      rule: 'kernel-died-near-limit',
      severity: 'error',
      epoch: death.at,
      title: trans.__(
        'The kernel of %1 died, most likely killed for running out of memory',
        death.path
      ),
      detail: trans.__(
        'It died at %1; %2 s before, %3.',
        formatClock(death.at),
        Math.max(0, Math.round((death.at - last.at) / 1000)),
        parts.join(', ')
      ),
      advice: trans.__(
        'Its variables are gone. Use less memory (smaller batches, data loaded in chunks, del large objects) or ask for more RAM, then run again from the last checkpoint.'
      ),
      actions: []
    });
  }
  return findings;
};

/** All rules of the monitor, in the order their warnings are listed. */
export const RULES: WarningRule[] = [
  kernelDiedNearLimitRule,
  ramFullRule,
  gpuMemoryFullRule,
  diskFullRule,
  idleKernelGpuMemoryRule,
  gpuIdleRule,
  ramUnusedRule
];

/** Run every rule. */
export function evaluateRules(input: IRuleInput): IWarningFinding[] {
  return RULES.flatMap(rule => rule(input));
}

function gpuLabel(gpu: IGpuSample): string {
  return gpu.name ? `GPU ${gpu.index} (${gpu.name})` : `GPU ${gpu.index}`;
}
