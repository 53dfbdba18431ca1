/**
 * The sidebar section about the active notebook's kernel.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import { INotebookContext } from '../monitor/monitor';
import { IProbeSample } from '../monitor/protocol';
import { h } from '../ui/dom';
import { formatBytes, formatNumber } from '../ui/format';

/** Render the active notebook kernel's processes, RSS, CPU and GPU memory. */
export function renderKernelSection(
  sample: IProbeSample | null,
  context: INotebookContext,
  trans: TranslationBundle
): HTMLElement {
  const section = h('section', {
    className: 'jp-GpuSession-section jp-GpuSession-kernel',
    attrs: { 'aria-label': trans.__('Notebook kernel') }
  });
  section.appendChild(h('h3', { text: trans.__('Notebook kernel') }));
  const say = (text: string) =>
    section.appendChild(h('p', { className: 'jp-GpuSession-empty', text }));
  if (!context.notebookOpen) {
    say(trans.__('No notebook open.'));
    return section;
  }
  if (context.activeNotebookPath) {
    section.appendChild(
      h('p', {
        className: 'jp-GpuSession-note',
        text: context.activeNotebookPath
      })
    );
  }
  if (!context.activeKernelId) {
    say(trans.__('This notebook has no kernel.'));
    return section;
  }
  if (!sample || !(context.activeKernelId in sample.kernels)) {
    say(trans.__('Waiting for the kernel’s numbers…'));
    return section;
  }
  const kernel = sample.kernels[context.activeKernelId];
  if (!kernel) {
    say(
      trans.__(
        'The kernel’s process was not found on the monitored host (is it running elsewhere?).'
      )
    );
    return section;
  }
  const rows: [string, string][] = [
    [trans.__('Memory (RSS)'), formatBytes(kernel.rss_bytes)],
    [trans.__('CPU'), formatNumber(kernel.cpu_percent, '%')],
    [
      trans.__('GPU memory'),
      kernel.gpu_memory_bytes === null
        ? sample.gpus.length
          ? trans.__('unattributed (process ids not visible here)')
          : '–'
        : formatBytes(kernel.gpu_memory_bytes)
    ],
    [trans.__('Processes'), formatNumber(kernel.process_count, '')],
    [trans.__('PID'), String(kernel.pid)]
  ];
  // What PyTorch itself holds, read inside the kernel (subshell path) when
  // the notebook has imported torch: NVML cannot attribute it in containers.
  for (const device of kernel.torch_cuda ?? []) {
    rows.push([
      trans.__('PyTorch cuda:%1', device.index),
      trans.__(
        '%1 allocated, %2 reserved',
        formatBytes(device.memory_allocated_bytes),
        formatBytes(device.memory_reserved_bytes)
      )
    ]);
  }
  const list = h('dl', { className: 'jp-GpuSession-stats' });
  for (const [term, value] of rows) {
    list.appendChild(h('dt', { text: term }));
    list.appendChild(h('dd', { text: value }));
  }
  section.appendChild(list);
  return section;
}
