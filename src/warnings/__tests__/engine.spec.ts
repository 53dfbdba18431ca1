import { nullTranslator } from '@jupyterlab/translation';
import { ResourceMonitor } from '../../monitor/monitor';
import { QueuedTransport, sampleNow } from '../../__tests__/fakeTransport';
import { WarningsEngine } from '../engine';
import { KernelTracker } from '../kernels';
import { LazyWarningList } from '../lazyList';
import { IWarningListState } from '../list';
import { DEFAULT_WARNINGS_SETTINGS } from '../settings';
import { IWarningFinding } from '../types';
import { GIB, sample } from './fixtures';

const trans = nullTranslator.load('jupyterlab_gpu_session');

/** A sample whose only disk is `usedGiB` of 100 GiB full. */
function diskSample(usedGiB: number) {
  return sample({
    disks: [
      {
        path: '/home/me',
        total_bytes: 100 * GIB,
        used_bytes: usedGiB * GIB,
        free_bytes: (100 - usedGiB) * GIB,
        error: null
      }
    ]
  });
}

/** A finding of the countdown's kind. */
function finding(key: string): IWarningFinding {
  return {
    key,
    rule: 'session-ending',
    severity: 'warning',
    title: `ends soon (${key})`,
    detail: '',
    advice: '',
    actions: []
  };
}

/** A real monitor with a queued transport, and an engine over it. */
function setUp(saved: IWarningListState | null = null) {
  const transport = new QueuedTransport();
  const monitor = new ResourceMonitor({ transport });
  const kernels = new KernelTracker();
  const engine = new WarningsEngine({
    monitor,
    kernels,
    openKernels: () => new Map(),
    store: { load: async () => saved, save: async () => undefined },
    trans,
    run: () => undefined,
    settings: () => DEFAULT_WARNINGS_SETTINGS
  });
  return { transport, monitor, engine };
}

describe('LazyWarningList', () => {
  it('fetches nothing for sources that find nothing, and is empty until then', () => {
    let fetches = 0;
    const facade = new LazyWarningList(() => fetches++);
    facade.update('countdown', []);
    facade.update('monitor', []);
    expect(fetches).toBe(0);
    expect(facade.list.warnings).toEqual([]);
  });

  it('keeps the latest findings of each source and hands them to the list', async () => {
    let fetches = 0;
    const facade = new LazyWarningList(() => fetches++);
    facade.update('countdown', [finding('a')]);
    facade.update('countdown', [finding('b')]);
    expect(fetches).toBe(2);
    const { engine, monitor } = setUp();
    await engine.start();
    const raised: string[] = [];
    facade.raised.connect((_, w) => raised.push(w.key));
    let changes = 0;
    facade.changed.connect(() => changes++);
    facade.attach(engine.list);
    expect(facade.warnings.map(w => w.key)).toEqual(['b']);
    expect(raised).toEqual(['b']);
    expect(changes).toBeGreaterThan(0);
    // From now on it reads through: a source that finds nothing clears.
    facade.update('countdown', []);
    expect(facade.warnings).toEqual([]);
    expect(engine.list.warnings).toEqual([]);
    monitor.dispose();
  });

  it('clears a source whose findings went away before the list came', async () => {
    const facade = new LazyWarningList(() => undefined);
    facade.update('countdown', [finding('a')]);
    facade.update('countdown', []);
    const { engine, monitor } = setUp();
    await engine.start();
    facade.attach(engine.list);
    expect(facade.warnings).toEqual([]);
    monitor.dispose();
  });
});

describe('WarningsEngine', () => {
  it('reads the saved state, then runs the rules on each sample', async () => {
    const { transport, monitor, engine } = setUp({
      snoozed: {},
      dismissed: { 'disk-full:/home/me': Date.now() }
    });
    await engine.start();
    expect(engine.list.restored).toBe(true);
    // Not monitoring: nothing is known, nothing is warned about.
    expect(engine.list.warnings).toEqual([]);

    monitor.setContext({
      notebookOpen: true,
      activeKernelId: null,
      activeNotebookPath: null,
      kernelIds: []
    });
    transport.fallback = { kind: 'sample', sample: diskSample(97) };
    await sampleNow(monitor);
    const [warning] = engine.list.warnings;
    expect(warning.rule).toBe('disk-full');
    // The dismissal read from the store holds.
    expect(warning.dismissed).toBe(true);

    transport.fallback = { kind: 'sample', sample: diskSample(20) };
    await monitor.requestSample();
    expect(engine.list.warnings).toEqual([]);
    monitor.dispose();
  });
});
