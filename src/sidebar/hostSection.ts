/**
 * The host section of the sidebar: RAM (with the container limit), swap,
 * CPU and disks.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import { IHostSample } from '../monitor/protocol';
import { h, meter } from '../ui/dom';
import { formatBytes, formatNumber, percentOf } from '../ui/format';

/** Render host memory, swap, CPU and disks. */
export function renderHostSection(
  host: IHostSample,
  trans: TranslationBundle
): HTMLElement {
  const limited = host.memory_limit_bytes !== null;
  const ramTotal = host.memory_limit_bytes ?? host.memory_total_bytes;
  const section = h(
    'section',
    {
      className: 'jp-GpuSession-section jp-GpuSession-host',
      attrs: { 'aria-label': trans.__('Memory and disk') }
    },
    [
      h('h3', {
        text: host.hostname
          ? trans.__('Memory and disk on %1', host.hostname)
          : trans.__('Memory and disk')
      }),
      meter(
        limited ? trans.__('RAM (container limit)') : trans.__('RAM'),
        `${formatBytes(host.memory_used_bytes)} / ${formatBytes(ramTotal)}`,
        percentOf(host.memory_used_bytes, ramTotal)
      )
    ]
  );
  if (limited) {
    section.appendChild(
      h('p', {
        className: 'jp-GpuSession-note',
        text: trans.__(
          'The machine has %1; this container may use %2.',
          formatBytes(host.memory_total_bytes),
          formatBytes(host.memory_limit_bytes)
        )
      })
    );
  }
  if (host.swap_total_bytes) {
    section.appendChild(
      meter(
        trans.__('Swap'),
        `${formatBytes(host.swap_used_bytes)} / ${formatBytes(host.swap_total_bytes)}`,
        percentOf(host.swap_used_bytes, host.swap_total_bytes)
      )
    );
  } else {
    section.appendChild(
      h('p', { className: 'jp-GpuSession-note', text: trans.__('No swap.') })
    );
  }
  section.appendChild(
    h('div', {
      className: 'jp-GpuSession-facts',
      text: trans.__(
        '%1 CPUs · load %2',
        formatNumber(host.cpu_count, ''),
        formatNumber(host.load_avg_1m, '', 2)
      )
    })
  );
  for (const disk of host.disks) {
    section.appendChild(
      disk.error
        ? h('p', {
            className: 'jp-GpuSession-note jp-mod-error',
            text: trans.__('Disk %1: %2', disk.path, disk.error)
          })
        : meter(
            trans.__('Disk %1', disk.path),
            trans.__(
              '%1 free of %2',
              formatBytes(disk.free_bytes),
              formatBytes(disk.total_bytes)
            ),
            percentOf(disk.used_bytes, disk.total_bytes)
          )
    );
  }
  return section;
}
