/**
 * The GPU cards of the sidebar.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import { IGpuSample, IProbeSample } from '../monitor/protocol';
import { h, meter } from '../ui/dom';
import {
  formatBytes,
  formatNumber,
  formatPercent,
  percentOf
} from '../ui/format';

/** Render one card per GPU, or the reason no GPU is visible. */
export function renderGpuSection(
  sample: IProbeSample,
  activeKernelId: string | null,
  trans: TranslationBundle
): HTMLElement {
  const section = h('section', {
    className: 'jp-GpuSession-section jp-GpuSession-gpus',
    attrs: { 'aria-label': trans.__('GPUs') }
  });
  section.appendChild(h('h3', { text: trans.__('GPUs') }));
  if (sample.gpus.length === 0) {
    section.appendChild(
      h('p', {
        className: 'jp-GpuSession-empty jp-GpuSession-noGpu',
        text: sample.gpu_error
          ? trans.__('No GPU visible: %1', sample.gpu_error)
          : trans.__('No GPU visible.')
      })
    );
    return section;
  }
  for (const gpu of sample.gpus) {
    section.appendChild(renderGpuCard(gpu, activeKernelId, trans));
  }
  if (sample.gpu_source) {
    section.appendChild(
      h('p', {
        className: 'jp-GpuSession-note',
        text: trans.__('Read through %1.', sample.gpu_source)
      })
    );
  }
  return section;
}

function renderGpuCard(
  gpu: IGpuSample,
  activeKernelId: string | null,
  trans: TranslationBundle
): HTMLElement {
  const name = gpu.name ?? trans.__('Unnamed GPU');
  const utilization =
    gpu.utilization_gpu_percent === null
      ? gpu.mig_enabled
        ? trans.__('not reported with MIG')
        : '–'
      : formatPercent(gpu.utilization_gpu_percent);
  const card = h(
    'div',
    {
      className: 'jp-GpuSession-card jp-GpuSession-gpu',
      attrs: { 'data-gpu-index': String(gpu.index) }
    },
    [
      h('div', { className: 'jp-GpuSession-cardTitle' }, [
        h('span', { className: 'jp-GpuSession-gpuName', text: name }),
        h('span', {
          className: 'jp-GpuSession-badge',
          text: gpu.mig_enabled
            ? trans.__('GPU %1 · MIG', gpu.index)
            : trans.__('GPU %1', gpu.index)
        })
      ]),
      meter(trans.__('Utilization'), utilization, gpu.utilization_gpu_percent),
      meter(
        trans.__('Memory'),
        `${formatBytes(gpu.memory_used_bytes)} / ${formatBytes(gpu.memory_total_bytes)}`,
        percentOf(gpu.memory_used_bytes, gpu.memory_total_bytes)
      ),
      h('div', {
        className: 'jp-GpuSession-facts',
        text: [
          trans.__('%1 °C', formatNumber(gpu.temperature_c, '')),
          trans.__(
            '%1 / %2 W',
            formatNumber(gpu.power_draw_w, ''),
            formatNumber(gpu.power_limit_w, '')
          )
        ].join(' · ')
      })
    ]
  );
  card.appendChild(renderProcesses(gpu, activeKernelId, trans));
  return card;
}

function renderProcesses(
  gpu: IGpuSample,
  activeKernelId: string | null,
  trans: TranslationBundle
): HTMLElement {
  if (gpu.processes.length === 0) {
    return h('p', {
      className: 'jp-GpuSession-note',
      text: trans.__('No processes on this GPU.')
    });
  }
  const list = h('ul', {
    className: 'jp-GpuSession-processes',
    attrs: { 'aria-label': trans.__('Processes on GPU %1', gpu.index) }
  });
  for (const proc of gpu.processes) {
    const mine = activeKernelId !== null && proc.kernel_id === activeKernelId;
    list.appendChild(
      h(
        'li',
        {
          className: mine
            ? 'jp-GpuSession-process jp-mod-active'
            : 'jp-GpuSession-process'
        },
        [
          h('span', {
            className: 'jp-GpuSession-processName',
            text: `${proc.name ?? trans.__('unknown')} (${proc.pid})`
          }),
          mine
            ? h('span', {
                className: 'jp-GpuSession-badge',
                text: trans.__('this notebook')
              })
            : null,
          h('span', {
            className: 'jp-GpuSession-processMemory',
            text: formatBytes(proc.used_memory_bytes)
          })
        ]
      )
    );
  }
  return list;
}
