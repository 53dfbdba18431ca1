/**
 * The host rules: RAM nearly full, RAM requested but unused, a disk nearly
 * full, a kernel that died with RAM near its limit. Pure functions of the
 * rule input; see rules.ts for hysteresis.
 */
import { SeriesKeys } from '../monitor/monitor';
import {
  formatBytes,
  formatClock,
  formatDuration,
  formatPercent
} from '../ui/format';
import { GIB, lastFinite, openSidebarAction, trailingRun } from './ruleSupport';
import { IWarningFinding, WarningRule } from './types';

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
      actions: [openSidebarAction(trans)]
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
