/**
 * The GPU rules: a GPU attached but idle, GPU memory held by an idle
 * kernel, GPU memory nearly full. Pure functions of the rule input; see
 * rules.ts for hysteresis.
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
  GIB,
  gpuLabel,
  lastFinite,
  openSidebarAction,
  trailingRun
} from './ruleSupport';
import { IWarningFinding, WarningRule } from './types';

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
  // %1 is the count (`_n` puts it first); the singular names the GPU.
  const title = cost
    ? trans._n(
        'GPU attached but not used: %2 idle %3, about %4',
        '%1 GPUs attached but not used: idle %3, about %4',
        idle.length,
        names,
        duration,
        cost
      )
    : trans._n(
        'GPU attached but not used: %2 idle %3',
        '%1 GPUs attached but not used: idle %3',
        idle.length,
        names,
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
        // %1 is the count (`_n` puts it first); the singular names the GPU.
        trans._n(
          'GPU memory %2 full on %3: risk of running out of memory',
          'GPU memory up to %2 full on %1 GPUs: risk of running out of memory',
          full.length,
          formatPercent(worst.percent),
          gpuLabel(worst.gpu)
        ),
      detail: trans.__('Above %1%: %2.', s.percent, each),
      advice: trans.__(
        'A larger batch or model will fail with CUDA out of memory. Lower the batch size, train in mixed precision (torch.autocast, bf16/fp16), or use gradient accumulation to keep the effective batch.'
      ),
      actions: [openSidebarAction(trans)]
    }
  ];
};
