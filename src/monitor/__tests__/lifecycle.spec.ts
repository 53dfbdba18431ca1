/**
 * The monitor kernel's life cycle: reuse across reloads and tabs, one
 * kernel per server, kernels killed or shut down by someone else, a server
 * that goes away, and failed starts that back off. The kernels are real
 * Python processes (`PythonKernel`); the server's kernel list is a fake.
 */
import {
  Kernel,
  KernelSpec,
  ServerConnection,
  Session
} from '@jupyterlab/services';
import { ProbeOutcome } from '../outcome';
import { KernelPresence } from '../serverKernels';
import { MonitorKernelTransport } from '../transport';
import { IStorageLike, MonitorKernelRegistry } from '../registry';
import { PROBE_SOURCE } from '../probeSource';
import { IProbeRequest } from '../protocol';
import { PythonKernel } from '../../__tests__/pythonKernel';
import { fakeServerSettings } from './fakeServerRest';

const REQUEST: IProbeRequest = {
  kernel_ids: [],
  disks: ['/tmp'],
  gpu_source: 'nvidia-smi',
  nvidia_smi: '/nonexistent/nvidia-smi',
  checkpoint_globs: null
};

const SPECS: KernelSpec.ISpecModels = {
  default: 'python3',
  kernelspecs: {
    python3: {
      name: 'python3',
      display_name: 'Python 3',
      language: 'python',
      argv: [],
      resources: {}
    }
  }
};

/** A server: its running kernels, its sessions and whether it answers. */
class FakeServer {
  kernels = new Map<string, PythonKernel>();
  /** Kernel id -> open connections of other pages, as the server counts. */
  connections = new Map<string, number>();
  sessionKernels = new Set<string>();
  reachable = true;
  failStarts = 0;
  starts = 0;
  shutdowns: string[] = [];
  all: PythonKernel[] = [];

  /** Milliseconds a start takes. */
  startDelayMs = 0;
  /** The next start reaches the server, but its answer is lost. */
  loseNextStartAnswer = false;
  /** Whether the server uses the kernel id a client asks for. */
  honorsKernelId = true;
  /**
   * The page's kernel manager keeps the list it last read: its poll stands
   * by (a hidden page, or one JupyterLab takes for disconnected), so
   * `refreshRunning()` resolves without asking the server.
   */
  managerList: Kernel.IModel[] | null = null;
  /** The server answers its kernel and session lists with a 500. */
  failLists = false;
  forbidLists = false;

  start(name: string, id?: string): PythonKernel {
    if (!this.reachable) {
      throw new ServerConnection.NetworkError(new TypeError('Failed to fetch'));
    }
    if (this.failStarts > 0) {
      this.failStarts--;
      throw new Error('No kernel for you');
    }
    this.starts++;
    const kernel = new PythonKernel(name);
    if (id && this.honorsKernelId) {
      Object.defineProperty(kernel, 'id', { value: id });
    }
    this.kernels.set(kernel.id, kernel);
    this.all.push(kernel);
    return kernel;
  }

  /**
   * A new connection to a kernel process, as `startNew` and `connectTo`
   * give: disposing it leaves the process alone; shutting it down ends
   * the kernel for every connection.
   */
  connection(kernel: PythonKernel): Kernel.IKernelConnection {
    const connection = Object.create(kernel) as PythonKernel;
    Object.defineProperty(connection, 'isDisposed', {
      value: false,
      writable: true
    });
    // One status for every connection: the kernel's.
    Object.defineProperty(connection, 'status', {
      get: () => kernel.status,
      set: (status: string) => {
        kernel.status = status;
      }
    });
    connection.dispose = () => {
      connection.isDisposed = true;
    };
    connection.reconnect = () => kernel.reconnect();
    connection.shutdown = async () => {
      this.shutdowns.push(kernel.id);
      kernel.setStatus('dead');
      this.kernels.delete(kernel.id);
    };
    return connection as unknown as Kernel.IKernelConnection;
  }

  /** Someone else shut the kernel down (another client, the culler). */
  remove(id: string): void {
    const kernel = this.kernels.get(id);
    this.kernels.delete(id);
    kernel?.loseConnection('disconnected');
  }

  /** What the server lists now. */
  models(): Kernel.IModel[] {
    return Array.from(this.kernels.values()).map(
      kernel =>
        ({
          id: kernel.id,
          name: kernel.name,
          connections: this.connections.get(kernel.id) ?? 0
        }) as Kernel.IModel
    );
  }

  services() {
    const serverSettings = fakeServerSettings({
      kernels: () => this.models(),
      sessionKernels: () => this.sessionKernels,
      reachable: () => this.reachable,
      failing: () => this.failLists,
      forbidden: () => this.forbidLists
    });
    return {
      kernelspecs: {
        ready: Promise.resolve(),
        specs: SPECS
      } as unknown as KernelSpec.IManager,
      kernels: {
        startNew: async (options: { name: string; kernel_id?: string }) => {
          if (this.startDelayMs) {
            await new Promise(resolve =>
              setTimeout(resolve, this.startDelayMs)
            );
          }
          const kernel = this.start(options.name, options.kernel_id);
          if (this.loseNextStartAnswer) {
            this.loseNextStartAnswer = false;
            throw new ServerConnection.NetworkError(
              new TypeError('Failed to fetch')
            );
          }
          return this.connection(kernel);
        },
        serverSettings,
        refreshRunning: async () => undefined,
        running: () => (this.managerList ?? this.models())[Symbol.iterator](),
        connectTo: ({ model }: { model: Kernel.IModel }) =>
          this.connection(this.kernels.get(model.id)!),
        shutdown: async (id: string) => {
          this.shutdowns.push(id);
          this.kernels.get(id)?.setStatus('dead');
          this.kernels.delete(id);
        }
      } as unknown as Kernel.IManager,
      sessions: {
        serverSettings,
        refreshRunning: async () => undefined,
        running: () =>
          Array.from(this.sessionKernels)
            .map(id => ({ kernel: { id } }) as Session.IModel)
            [Symbol.iterator]()
      } as unknown as Session.IManager
    };
  }

  check = async (id: string): Promise<KernelPresence> =>
    !this.reachable ? 'unreachable' : this.kernels.has(id) ? 'running' : 'gone';

  dispose(): void {
    this.all.forEach(kernel => kernel.dispose());
  }
}

class MemoryStorage implements IStorageLike {
  data = new Map<string, string>();
  getItem(key: string): string | null {
    return this.data.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.data.set(key, value);
  }
}

function expectSample(outcome: ProbeOutcome) {
  if (outcome.kind !== 'sample') {
    throw new Error(`expected a sample, got ${JSON.stringify(outcome)}`);
  }
  return outcome;
}

describe('monitor kernel life cycle', () => {
  let server: FakeServer;
  let storage: MemoryStorage;
  let now: number;
  const transports: MonitorKernelTransport[] = [];

  /** A page (or a tab) on the server; `tab` survives a reload. */
  function page(tab = 'tab-1', browser: IStorageLike = storage) {
    const transport = new MonitorKernelTransport(
      server.services(),
      PROBE_SOURCE,
      () => null,
      {
        registry: new MonitorKernelRegistry(
          browser,
          'http://localhost/user/alice/',
          tab,
          () => now
        ),
        checkKernel: server.check,
        now: () => now,
        shareWindowMs: 10_000,
        backoffMs: 1000,
        maxBackoffMs: 8000,
        settleMs: 1000
      }
    );
    transports.push(transport);
    return transport;
  }

  beforeEach(() => {
    server = new FakeServer();
    storage = new MemoryStorage();
    now = 1_000_000;
  });

  afterEach(() => {
    transports.splice(0).forEach(transport => transport.dispose());
    server.dispose();
  });

  it('reuses the monitor kernel of a page that crashed or reloaded', async () => {
    const first = page();
    expectSample(await first.request(REQUEST, 20000));
    const id = first.kernelId;
    // The page goes away without shutting its kernel down (a crash).
    for (let reload = 0; reload < 20; reload++) {
      const next = page();
      expectSample(await next.request(REQUEST, 20000));
      expect(next.kernelId).toBe(id);
    }
    expect(server.starts).toBe(1);
    expect(server.kernels.size).toBe(1);
  });

  it('shares one kernel between tabs and leaves it to the last one', async () => {
    const a = page('a');
    const b = page('b');
    expectSample(await a.request(REQUEST, 20000));
    expectSample(await b.request(REQUEST, 20000));
    expect(a.kernelId).toBe(b.kernelId);
    const id = a.kernelId!;
    await a.stop();
    // Tab b used it a moment ago: a does not shut it down.
    expect(server.kernels.has(id)).toBe(true);
    expectSample(await b.request(REQUEST, 20000));
    await b.stop();
    expect(server.shutdowns).toEqual([id]);
    expect(server.kernels.size).toBe(0);
  });

  it('shuts down extra monitor kernels and forgets ones that became a notebook’s', async () => {
    const a = page('a');
    const b = page('b');
    expectSample(await a.request(REQUEST, 20000));
    // Tab b raced tab a and started its own before seeing a's record.
    const extra = server.start('python3');
    b.registry.add(extra.id, 'python3');
    b.registry.leave(extra.id);
    const taken = server.start('python3');
    b.registry.add(taken.id, 'python3');
    b.registry.leave(taken.id);
    server.sessionKernels.add(taken.id);
    now += 20_000;
    const c = page('c');
    expectSample(await c.request(REQUEST, 20000));
    expect(c.kernelId).toBe(a.kernelId);
    expect(server.shutdowns).toEqual([extra.id]);
    // A notebook's kernel is never shut down, only forgotten.
    expect(server.kernels.has(taken.id)).toBe(true);
    expect(c.registry.read().map(r => r.id)).toEqual([a.kernelId]);
  });

  it('reloads the probe after the server restarted a killed monitor kernel, and says so', async () => {
    const t = page();
    expectSample(await t.request(REQUEST, 20000));
    const kernel = server.kernels.get(t.kernelId!)!;
    kernel.restartAfterNextRequest();
    expectSample(await t.request(REQUEST, 20000));
    kernel.setStatus('autorestarting');
    expect(await t.request(REQUEST, 20000)).toEqual({
      kind: 'waiting',
      error: 'The monitor kernel is restarting.'
    });
    kernel.setStatus('idle');
    const outcome = expectSample(await t.request(REQUEST, 20000));
    expect(outcome.notice).toContain('server restarted it');
    expect(server.starts).toBe(1);
    // The notice is given once.
    expect(
      expectSample(await t.request(REQUEST, 20000)).notice
    ).toBeUndefined();
  });

  it('starts a new kernel when its kernel was shut down by someone else', async () => {
    const t = page();
    expectSample(await t.request(REQUEST, 20000));
    const old = t.kernelId!;
    server.remove(old);
    const outcome = expectSample(await t.request(REQUEST, 20000));
    expect(outcome.notice).toContain('shut down or died outside this page');
    expect(t.kernelId).not.toBe(old);
    expect(server.starts).toBe(2);
    expect(t.registry.read().map(r => r.id)).toEqual([t.kernelId]);
  });

  it('does not stay busy when the kernel it asked died mid-request', async () => {
    const t = page();
    expectSample(await t.request(REQUEST, 20000));
    const kernel = server.kernels.get(t.kernelId!)!;
    kernel.delayMs = 60_000;
    expect(await t.request(REQUEST, 50)).toEqual({ kind: 'timeout' });
    server.remove(kernel.id);
    const outcome = expectSample(await t.request(REQUEST, 20000));
    expect(outcome.notice).toContain('shut down or died outside this page');
  });

  it('says the server is unreachable, then resumes with the same kernel', async () => {
    const t = page();
    expectSample(await t.request(REQUEST, 20000));
    const kernel = server.kernels.get(t.kernelId!)!;
    server.reachable = false;
    kernel.loseConnection('disconnected');
    expect(await t.request(REQUEST, 20000)).toEqual({
      kind: 'disconnected',
      error: 'The server cannot be reached.'
    });
    server.reachable = true;
    expect(await t.request(REQUEST, 20000)).toEqual({
      kind: 'waiting',
      error: 'Reconnecting to the monitor kernel.'
    });
    expect(kernel.reconnectCount).toBe(1);
    kernel.connectionStatus = 'connected';
    expectSample(await t.request(REQUEST, 20000));
    expect(server.starts).toBe(1);
  });

  it('says the server is unreachable when a kernel cannot even be started', async () => {
    server.reachable = false;
    const outcome = await page().request(REQUEST, 20000);
    expect(outcome.kind).toBe('disconnected');
  });

  it('backs off when starts keep failing', async () => {
    server.failStarts = 3;
    const t = page();
    const attempts: number[] = [];
    // One request per second of simulated time for 20 s.
    for (let second = 0; second < 20; second++) {
      const before = server.failStarts;
      const outcome = await t.request(REQUEST, 20000);
      if (server.failStarts !== before || outcome.kind === 'sample') {
        attempts.push(second);
      }
      if (outcome.kind === 'sample') {
        break;
      }
      expect(outcome.kind).toBe('unavailable');
      now += 1000;
    }
    // Waits of 1 s, 2 s and 4 s between the tries, then it works.
    expect(attempts).toEqual([0, 1, 3, 7]);
    expect(server.starts).toBe(1);
  });

  it('says why it waits while backing off', async () => {
    server.failStarts = 5;
    const t = page();
    await t.request(REQUEST, 20000);
    const outcome = await t.request(REQUEST, 20000);
    expect(outcome).toEqual({
      kind: 'unavailable',
      error: 'No kernel for you Trying again in 1 s.'
    });
  });

  describe('what earlier pages left behind', () => {
    it('reuses a monitor kernel another browser left (found by the probe module in it) and shuts extra ones down', async () => {
      const elsewhere = new MemoryStorage();
      const a = page('x', elsewhere);
      const b = page('y', new MemoryStorage());
      expectSample(await a.request(REQUEST, 20000));
      // A live page is connected to its kernel.
      server.connections.set(a.kernelId!, 1);
      expectSample(await b.request(REQUEST, 20000));
      server.connections.set(b.kernelId!, 1);
      expect(a.kernelId).not.toBe(b.kernelId);
      // A kernel of someone else: no session, no probe module.
      const other = server.start('python3');
      // A monitor kernel of a live page elsewhere: it has a connection.
      const live = page('z', new MemoryStorage());
      expectSample(await live.request(REQUEST, 20000));
      server.connections.set(live.kernelId!, 1);
      const starts = server.starts;
      // Both pages crash; this browser has no record of either kernel.
      server.connections.delete(a.kernelId!);
      server.connections.delete(b.kernelId!);
      const t = page();
      expectSample(await t.request(REQUEST, 20000));
      expect([a.kernelId, b.kernelId]).toContain(t.kernelId);
      expect(server.starts).toBe(starts);
      expect(server.shutdowns).toEqual(
        [a.kernelId, b.kernelId].filter(id => id !== t.kernelId)
      );
      expect(server.kernels.has(other.id)).toBe(true);
      expect(server.kernels.has(live.kernelId!)).toBe(true);
      expect(t.registry.read().map(r => r.id)).toEqual([t.kernelId]);
    });

    it('waits for a kernel the previous page was shutting down, so there is never a second one', async () => {
      const first = page();
      expectSample(await first.request(REQUEST, 20000));
      const old = first.kernelId!;
      // A reload: the page marks its kernel closing and sends a DELETE that
      // the server carries out a moment later.
      first.registry.markClosing(old);
      setTimeout(() => server.kernels.delete(old), 400);
      const seen: number[] = [];
      const start = server.start.bind(server);
      server.start = (name: string, id?: string) => {
        seen.push(server.kernels.size);
        return start(name, id);
      };
      const next = page();
      expectSample(await next.request(REQUEST, 20000));
      expect(next.kernelId).not.toBe(old);
      expect(seen).toEqual([0]);
      expect(next.registry.read().map(r => r.id)).toEqual([next.kernelId]);
    });

    it('shuts down a closing kernel that is still there after the wait', async () => {
      const first = page();
      expectSample(await first.request(REQUEST, 20000));
      const old = first.kernelId!;
      first.registry.markClosing(old);
      const next = page();
      expectSample(await next.request(REQUEST, 20000));
      expect(server.shutdowns).toEqual([old]);
      expect(server.kernels.size).toBe(1);
    });

    it.each([
      ['uses the kernel id the page asked for', true],
      ['ignores the kernel id the page asked for', false]
    ])(
      'claims the kernel of a page that went away mid-start (server %s)',
      async (_, honors) => {
        server.honorsKernelId = honors;
        server.loseNextStartAnswer = true;
        const first = page();
        expect((await first.request(REQUEST, 20000)).kind).toBe('disconnected');
        // The kernel started, but nobody knows its id except the record.
        expect(server.kernels.size).toBe(1);
        const [orphan] = server.kernels.keys();
        expect(first.registry.read().map(r => r.id)[0]).toMatch(/^pending:/);
        const next = page();
        expectSample(await next.request(REQUEST, 20000));
        expect(next.kernelId).toBe(orphan);
        expect(server.starts).toBe(1);
        expect(next.registry.read().map(r => r.id)).toEqual([orphan]);
      }
    );

    it('claims the kernel of a page that went away mid-start while the page’s kernel manager stands by', async () => {
      server.loseNextStartAnswer = true;
      const first = page();
      expect((await first.request(REQUEST, 20000)).kind).toBe('disconnected');
      const [orphan] = server.kernels.keys();
      // The next page's kernel manager read the list before the kernel was
      // there and does not ask again (as a poll standing by does).
      server.managerList = [];
      const next = page();
      expectSample(await next.request(REQUEST, 20000));
      expect(next.kernelId).toBe(orphan);
      expect(server.starts).toBe(1);
      expect(server.kernels.size).toBe(1);
    });

    it('waits for a closing kernel the page’s kernel manager no longer lists', async () => {
      const first = page();
      expectSample(await first.request(REQUEST, 20000));
      const old = first.kernelId!;
      first.registry.markClosing(old);
      setTimeout(() => server.kernels.delete(old), 400);
      server.managerList = [];
      const seen: number[] = [];
      const start = server.start.bind(server);
      server.start = (name: string, id?: string) => {
        seen.push(server.kernels.size);
        return start(name, id);
      };
      const next = page();
      expectSample(await next.request(REQUEST, 20000));
      expect(seen).toEqual([0]);
    });

    it('starts nothing on a kernel list the server failed to give', async () => {
      const first = page();
      expectSample(await first.request(REQUEST, 20000));
      const old = first.kernelId!;
      first.registry.markClosing(old);
      server.managerList = [];
      server.failLists = true;
      const next = page();
      expect((await next.request(REQUEST, 20000)).kind).toBe('unavailable');
      expect(server.starts).toBe(1);
      expect(server.kernels.has(old)).toBe(true);
      // Once the server answers, the closing kernel is waited for (then
      // shut down, as it stays) and one kernel started.
      server.failLists = false;
      now += 60_000;
      expectSample(await next.request(REQUEST, 20000));
      expect(server.kernels.has(old)).toBe(false);
      expect(server.kernels.size).toBe(1);
    });

    it('works where listing kernels is forbidden (a kernel gateway), reusing nothing it cannot see', async () => {
      server.forbidLists = true;
      const first = page();
      expectSample(await first.request(REQUEST, 20000));
      expect(server.starts).toBe(1);
      // A reload: the old kernel cannot be seen, so its record goes and
      // one kernel is started; the old one was shut down by its page.
      const old = first.kernelId!;
      first.registry.markClosing(old);
      const next = page();
      expectSample(await next.request(REQUEST, 20000));
      expect(server.starts).toBe(2);
      expect(next.registry.read().map(r => r.id)).toEqual([next.kernelId]);
    });

    it('never starts a second kernel while a slow start is still going', async () => {
      server.startDelayMs = 300;
      const t = page();
      expect(await t.request(REQUEST, 50)).toEqual({ kind: 'timeout' });
      expect(await t.request(REQUEST, 50)).toEqual({ kind: 'busy' });
      let outcome = await t.request(REQUEST, 20000);
      for (let i = 0; outcome.kind === 'busy' && i < 100; i++) {
        await new Promise(resolve => setTimeout(resolve, 100));
        outcome = await t.request(REQUEST, 20000);
      }
      expectSample(outcome);
      expect(server.starts).toBe(1);
    });

    it('forgets the record of a start the server refused', async () => {
      server.failStarts = 1;
      const t = page();
      expect((await t.request(REQUEST, 20000)).kind).toBe('unavailable');
      expect(t.registry.read()).toEqual([]);
    });

    it('shuts down the kernel of a start that ends after the monitor was stopped', async () => {
      server.startDelayMs = 200;
      const t = page();
      const outcome = t.request(REQUEST, 20000);
      await new Promise(resolve => setTimeout(resolve, 50));
      await t.stop();
      expect((await outcome).kind).toBe('unavailable');
      await new Promise(resolve => setTimeout(resolve, 50));
      expect(server.starts).toBe(1);
      expect(server.kernels.size).toBe(0);
      expect(t.registry.read()).toEqual([]);
      // A later request starts afresh.
      expectSample(await t.request(REQUEST, 20000));
      expect(server.kernels.size).toBe(1);
    });
  });

  it('keeps separate lists per server base URL', () => {
    const alice = new MonitorKernelRegistry(storage, '/user/alice/', 't');
    const bob = new MonitorKernelRegistry(storage, '/user/bob/', 't');
    alice.add('k1', 'python3');
    expect(bob.read()).toEqual([]);
    expect(alice.read().map(r => r.id)).toEqual(['k1']);
  });

  it.each([
    ['not JSON', '{'],
    ['not a list', '{"id": "x"}'],
    ['bad entries', '[1, null, {"id": 3}, {"id": "", "spec": "p"}]']
  ])('ignores a damaged registry (%s)', (_, text) => {
    const registry = new MonitorKernelRegistry(storage, '/', 't');
    storage.setItem(registry.key, text);
    expect(registry.read()).toEqual([]);
    registry.add('k', 'python3');
    expect(registry.read().map(r => r.id)).toEqual(['k']);
  });
});
