import { MessageLoop } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';
import * as gpuSection from '../gpuSection';
import { ResourceMonitor } from '../../monitor/monitor';
import { parseSample } from '../../monitor/parser';
import { IProbeSample } from '../../monitor/protocol';
import { GpuSessionPanel } from '../panel';
import { GpuStatusItem, statusText } from '../statusItem';
import { nullTranslator } from '@jupyterlab/translation';
import { QueuedTransport, sampleNow } from '../../__tests__/fakeTransport';
import { noGpuSample, RawSample, teslaT4Sample } from '../../__tests__/samples';

function sample(raw: RawSample): IProbeSample {
  const result = parseSample(raw);
  if (!result.ok) {
    throw new Error(result.error);
  }
  return result.sample;
}

beforeAll(() => {
  // jsdom has no 2D canvas; the plots are tested in sparkline.spec.ts.
  jest.spyOn(HTMLCanvasElement.prototype, 'getContext').mockReturnValue(null);
});

describe('GpuSessionPanel', () => {
  let transport: QueuedTransport;
  let monitor: ResourceMonitor;
  let panel: GpuSessionPanel;

  beforeEach(async () => {
    transport = new QueuedTransport();
    monitor = new ResourceMonitor({ transport });
    panel = new GpuSessionPanel({ monitor });
    Widget.attach(panel, document.body);
    await panel.sectionsReady;
  });

  afterEach(() => {
    panel.dispose();
    monitor.dispose();
  });

  // Sections render on update requests: deliver them before looking.
  const text = (selector: string) => {
    MessageLoop.flush();
    return panel.node.querySelector(selector)?.textContent ?? null;
  };

  async function show(raw: RawSample): Promise<void> {
    transport.outcomes.push({ kind: 'sample', sample: sample(raw) });
    await sampleNow(monitor);
    MessageLoop.flush();
  }

  it('says monitoring has not started and that no notebook is open', () => {
    expect(text('.jp-GpuSession-status')).toContain('Monitoring starts');
    expect(text('.jp-GpuSession-kernel')).toContain('No notebook open.');
  });

  it('says it is starting the monitor', () => {
    monitor.start();
    expect(text('.jp-GpuSession-status')).toBe('Starting the monitor…');
    void monitor.stop();
  });

  it('renders a card per GPU with memory, temperature and power', async () => {
    await show(teslaT4Sample());
    const card = panel.node.querySelector('.jp-GpuSession-gpu')!;
    expect(card.querySelector('.jp-GpuSession-gpuName')!.textContent).toBe(
      'Tesla T4'
    );
    const memory = card.querySelector('[role="meter"][aria-label="Memory"]')!;
    expect(memory.getAttribute('aria-valuetext')).toBe('1.0 GiB / 15.0 GiB');
    expect(memory.getAttribute('aria-valuenow')).toBe('7');
    expect(card.querySelector('.jp-GpuSession-facts')!.textContent).toBe(
      '40 °C · 28 / 70 W'
    );
    expect(card.querySelectorAll('.jp-GpuSession-process').length).toBe(2);
    expect(text('.jp-GpuSession-status')).toContain('Live');
  });

  it('marks the active notebook kernel’s GPU process', async () => {
    monitor.setContext({
      notebookOpen: true,
      activeKernelId: 'kernel-a',
      activeNotebookPath: 'train.ipynb',
      kernelIds: ['kernel-a']
    });
    await show(teslaT4Sample());
    const active = panel.node.querySelector(
      '.jp-GpuSession-process.jp-mod-active'
    );
    expect(active?.textContent).toContain('python (5762)');
    expect(active?.textContent).toContain('this notebook');
    const kernel = text('.jp-GpuSession-kernel')!;
    expect(kernel).toContain('train.ipynb');
    expect(kernel).toContain('2.0 GiB');
    expect(kernel).toContain('CPU98%');
    expect(kernel).toContain('1005 MiB');
  });

  it('shows the reason no GPU is visible and the container limit', async () => {
    await show(noGpuSample());
    expect(text('.jp-GpuSession-noGpu')).toBe(
      'No GPU visible: nvidia-smi was not found on PATH'
    );
    const ram = panel.node.querySelector(
      '[role="meter"][aria-label="RAM (container limit)"]'
    );
    expect(ram?.getAttribute('aria-valuetext')).toBe('3.0 GiB / 16.0 GiB');
    expect(text('.jp-GpuSession-host')).toContain(
      'this container may use 16.0 GiB'
    );
  });

  it('says GPU memory is unattributed when process ids are not visible', async () => {
    const raw = teslaT4Sample();
    ((raw.kernels as RawSample)['kernel-a'] as RawSample).gpu_memory_bytes =
      null;
    monitor.setContext({
      notebookOpen: true,
      activeKernelId: 'kernel-a',
      activeNotebookPath: 'a.ipynb',
      kernelIds: ['kernel-a']
    });
    await show(raw);
    expect(text('.jp-GpuSession-kernel')).toContain('unattributed');
  });

  it('says MIG GPUs do not report utilization', async () => {
    const raw = teslaT4Sample();
    const gpu = (raw.gpus as RawSample[])[0];
    gpu.mig_enabled = true;
    gpu.utilization_gpu_percent = null;
    await show(raw);
    const meter = panel.node.querySelector('[aria-label="Utilization"]');
    expect(meter?.getAttribute('aria-valuetext')).toBe('not reported with MIG');
    expect(meter?.hasAttribute('aria-valuenow')).toBe(false);
  });

  it('renders HTML from the kernel as text', async () => {
    const raw = teslaT4Sample();
    const gpu = (raw.gpus as RawSample[])[0];
    gpu.name = '<img src=x onerror="window.hacked=1">';
    (gpu.processes as RawSample[])[0].name = '<script>alert(1)</script>';
    await show(raw);
    expect(panel.node.querySelector('img')).toBeNull();
    expect(panel.node.querySelector('script')).toBeNull();
    expect(text('.jp-GpuSession-gpuName')).toBe(
      '<img src=x onerror="window.hacked=1">'
    );
  });

  it('keeps the last numbers and says they are stale', async () => {
    await show(teslaT4Sample());
    transport.outcomes.push({ kind: 'timeout' });
    await sampleNow(monitor);
    expect(text('.jp-GpuSession-status')).toMatch(/^Stale: no new data since /);
    expect(text('.jp-GpuSession-gpuName')).toBe('Tesla T4');
  });

  it('shows a probe error with the time of the numbers it keeps', async () => {
    await show(teslaT4Sample());
    transport.outcomes.push({
      kind: 'invalid',
      error: 'The probe reply is not valid JSON'
    });
    await sampleNow(monitor);
    expect(text('.jp-GpuSession-status')).toMatch(
      /^Probe error; numbers below are from .*not valid JSON$/
    );
    expect(
      panel.node
        .querySelector('.jp-GpuSession-status')!
        .getAttribute('data-level')
    ).toBe('error');
  });

  it('says why the monitor is unavailable', async () => {
    transport.outcomes.push({
      kind: 'unavailable',
      error: 'The server has no Python kernel.'
    });
    await sampleNow(monitor);
    expect(text('.jp-GpuSession-status')).toBe(
      'Monitor unavailable: The server has no Python kernel.'
    );
  });

  it('counts samples for people and tests', async () => {
    await show(teslaT4Sample());
    await show(teslaT4Sample());
    expect(panel.node.dataset.sampleCount).toBe('2');
  });

  it('renders a burst of changes once, on the next update', async () => {
    const draw = jest.spyOn(gpuSection, 'renderGpuSection');
    await show(teslaT4Sample());
    draw.mockClear();
    for (const path of ['a.ipynb', 'b.ipynb', 'c.ipynb']) {
      monitor.setContext({
        notebookOpen: true,
        activeKernelId: null,
        activeNotebookPath: path,
        kernelIds: []
      });
    }
    expect(draw).not.toHaveBeenCalled();
    MessageLoop.flush();
    expect(draw).toHaveBeenCalledTimes(1);
    draw.mockRestore();
  });

  it('skips rendering while hidden and catches up when shown', async () => {
    panel.hide();
    await show(teslaT4Sample());
    expect(panel.node.querySelector('.jp-GpuSession-gpu')).toBeNull();
    expect(panel.node.dataset.sampleCount).toBe('1');
    panel.show();
    MessageLoop.flush();
    expect(text('.jp-GpuSession-gpuName')).toBe('Tesla T4');
  });

  it('says beside each section what the probe could not read', async () => {
    const raw = teslaT4Sample();
    raw.error =
      'disks: [Errno 13] Permission denied; kernel kernel-a: vanished; platform: squeue timed out';
    await show(raw);
    expect(text('.jp-GpuSession-host .jp-GpuSession-sectionError')).toBe(
      'Not read: disks: [Errno 13] Permission denied'
    );
    const all = Array.from(
      panel.node.querySelectorAll('.jp-GpuSession-sectionError')
    ).map(node => node.textContent);
    expect(all).toEqual([
      'Not read: platform: squeue timed out',
      'Not read: disks: [Errno 13] Permission denied',
      'Not read: kernel kernel-a: vanished'
    ]);
    // Still beside its section with a notebook open.
    monitor.setContext({
      notebookOpen: true,
      activeKernelId: 'kernel-a',
      activeNotebookPath: 'a.ipynb',
      kernelIds: ['kernel-a']
    });
    expect(text('.jp-GpuSession-kernel .jp-GpuSession-sectionError')).toBe(
      'Not read: kernel kernel-a: vanished'
    );
  });

  it('shows PyTorch’s own numbers when the kernel reports them', async () => {
    const raw = teslaT4Sample();
    ((raw.kernels as RawSample)['kernel-a'] as RawSample).torch_cuda = [
      {
        index: 0,
        memory_allocated_bytes: 512 * 1024 ** 2,
        memory_reserved_bytes: 1024 ** 3
      }
    ];
    monitor.setContext({
      notebookOpen: true,
      activeKernelId: 'kernel-a',
      activeNotebookPath: 'a.ipynb',
      kernelIds: ['kernel-a']
    });
    await show(raw);
    expect(text('.jp-GpuSession-kernel')).toContain(
      'PyTorch cuda:0512 MiB allocated, 1.0 GiB reserved'
    );
  });

  it('stops rendering after dispose', async () => {
    panel.dispose();
    await show(teslaT4Sample());
    expect(panel.node.querySelector('.jp-GpuSession-gpu')).toBeNull();
  });
});

describe('statusText', () => {
  const trans = nullTranslator.load('jupyterlab');

  it('shows GPU utilization and memory', () => {
    expect(statusText(sample(teslaT4Sample()), trans)).toBe(
      'GPU 37% · 1.0 GiB / 15.0 GiB'
    );
  });

  it('shows the busiest of several GPUs and how many more there are', () => {
    const raw = teslaT4Sample();
    const second = {
      ...(raw.gpus as RawSample[])[0],
      index: 1,
      utilization_gpu_percent: 90
    };
    raw.gpus = [...(raw.gpus as RawSample[]), second];
    expect(statusText(sample(raw), trans)).toBe(
      'GPU 90% · 1.0 GiB / 15.0 GiB (+1)'
    );
  });

  it('shows RAM against the container limit without a GPU', () => {
    expect(statusText(sample(noGpuSample()), trans)).toBe(
      'RAM 3.0 GiB / 16.0 GiB'
    );
  });

  it('shows a dash before the first sample', () => {
    expect(statusText(null, trans)).toBe('GPU: –');
  });
});

describe('GpuStatusItem', () => {
  it('opens the sidebar when clicked and follows the monitor', async () => {
    const transport = new QueuedTransport();
    const monitor = new ResourceMonitor({ transport });
    const onClick = jest.fn();
    const item = new GpuStatusItem(monitor, onClick);
    Widget.attach(item, document.body);
    transport.outcomes.push({
      kind: 'sample',
      sample: sample(teslaT4Sample())
    });
    await sampleNow(monitor);
    expect(item.node.textContent).toBe('GPU 37% · 1.0 GiB / 15.0 GiB');
    item.node.click();
    expect(onClick).toHaveBeenCalledTimes(1);
    item.setWarnings(2, ['GPU 0 idle', 'Disk nearly full']);
    expect(item.node.dataset.warnings).toBe('2');
    expect(item.node.title).toContain('⚠ Disk nearly full');
    item.setWarnings(0, []);
    expect(item.node.dataset.warnings).toBe('0');
    item.dispose();
    monitor.dispose();
  });
});

describe('GpuSessionPanel.addSection', () => {
  it('orders added sections by rank below its own and disposes them with the panel', async () => {
    const monitor = new ResourceMonitor({ transport: new QueuedTransport() });
    const panel = new GpuSessionPanel({ monitor });
    const named = (name: string) => {
      const widget = new Widget();
      widget.node.textContent = name;
      return widget;
    };
    const late = named('late');
    const lazy = named('lazy');
    let made = 0;
    // Sections may be added before the panel is in the document.
    panel.addSection(late, 50);
    panel.addSection(() => {
      made++;
      return Promise.resolve(lazy);
    }, 30);
    expect(made).toBe(0);
    Widget.attach(panel, document.body);
    const early = named('early');
    panel.addSection(early, 10);
    await panel.sectionsReady;
    expect(made).toBe(1);
    expect(late.isAttached && early.isAttached && lazy.isAttached).toBe(true);
    const children = panel.widgets;
    // The header and the monitor's seven sections come first.
    expect(children.slice(8).map(w => w.node.textContent)).toEqual([
      'early',
      'lazy',
      'late'
    ]);
    expect(children[1].hasClass('jp-GpuSession-status')).toBe(true);
    panel.dispose();
    expect(late.isDisposed && early.isDisposed && lazy.isDisposed).toBe(true);
    monitor.dispose();
  });

  it('makes no section before it is first shown', () => {
    const monitor = new ResourceMonitor({ transport: new QueuedTransport() });
    const panel = new GpuSessionPanel({ monitor });
    const factory = jest.fn(() => new Widget());
    panel.addSection(factory, 10);
    expect(factory).not.toHaveBeenCalled();
    expect(panel.widgets.length).toBe(1);
    panel.dispose();
    monitor.dispose();
  });
});
