/**
 * JS heap after a simulated 24-hour session, against the heap after one hour
 * (DESIGN.md section 6: growth <= 1 MB), in Node.
 *
 *   node bench/heap_24h.js [--out FILE.json] [--hours 24]
 *
 * What runs is the extension's own code, compiled from src/ to CommonJS into
 * bench/.tmp/heap-cjs (tsc, the project's compiler): the ResourceMonitor with
 * its SampleHistory, fed through the real reply parser (decodeReply) with
 * real probe replies. The replies are `sample_b64()` results of the real
 * probe.py with two GPUs simulated by the fake nvidia-smi (5 history series),
 * made once at the start; a stand-in transport returns them in turn, as the
 * monitor kernel would, with no kernel and no DOM. The clock is simulated:
 * one sample every `intervalMs` of the default settings (2 s: 1,800 samples
 * an hour, 43,200 a day), idle pause off. After each sample a listener reads
 * every plotted series back from the history, as the sidebar's plots do.
 *
 * Heap: process.memoryUsage().heapUsed plus arrayBuffers (the history's typed
 * arrays are ArrayBuffer backing stores, which heapUsed leaves out) after two
 * full collections (Node runs with --expose-gc), at the start, after every simulated hour and at the end.
 * Reported: the heap after 1 h and after 24 h, their difference, and the
 * slope of a straight line through hours 2..24 (bytes per hour).
 *
 * The views (sidebar DOM, canvas plots, status item, warnings) are not in
 * this figure: the browser benchmark measures the live page for that
 * (bench/browser/sidebar.bench.js, "heap").
 */
'use strict';
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');

const repo = path.resolve(__dirname, '..');
const tmp = path.join(__dirname, '.tmp');
const cjs = path.join(tmp, 'heap-cjs');

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

/** Compile the modules the simulation needs (and what they import). */
function compile() {
  fs.rmSync(cjs, { recursive: true, force: true });
  const tsc = path.join(repo, 'node_modules', 'typescript', 'bin', 'tsc');
  const r = spawnSync(
    process.execPath,
    [
      tsc,
      path.join(repo, 'src', 'monitor', 'monitor.ts'),
      path.join(repo, 'src', 'monitor', 'parser.ts'),
      '--outDir',
      cjs,
      '--rootDir',
      path.join(repo, 'src'),
      '--module',
      'commonjs',
      '--moduleResolution',
      'node',
      '--target',
      'ES2022',
      '--lib',
      'ES2022,DOM',
      '--esModuleInterop',
      '--skipLibCheck',
      '--strict',
      '--types',
      'node',
      // another engineer's unfinished types elsewhere must not stop the run
      '--noEmitOnError',
      'false'
    ],
    { cwd: repo, encoding: 'utf8' }
  );
  const monitorJs = path.join(cjs, 'monitor', 'monitor.js');
  if (!fs.existsSync(monitorJs)) {
    throw new Error(`tsc produced no monitor.js:\n${r.stdout}\n${r.stderr}`);
  }
  return { diagnostics: (r.stdout || '').trim().split('\n').filter(Boolean) };
}

/** Real probe replies (the repr of sample_b64()), two fake GPUs. */
function probeReplies(count) {
  const fixtures = path.join(repo, 'tests', 'fixtures', 'nvidia-smi');
  const code = [
    'import importlib.util, sys',
    `spec = importlib.util.spec_from_file_location("p", ${JSON.stringify(path.join(repo, 'jupyterlab_gpu_session', 'probe.py'))})`,
    'p = importlib.util.module_from_spec(spec); spec.loader.exec_module(p)',
    `for _ in range(${count}):`,
    `    print(repr(p.sample_b64([], None, "nvidia-smi", ${JSON.stringify(path.join(repo, 'tests', 'fakes', 'nvidia-smi'))})))`
  ].join('\n');
  const python = process.env.PYTHON || 'python3';
  const r = spawnSync(python, ['-c', code], {
    encoding: 'utf8',
    env: {
      ...process.env,
      FAKE_NVIDIA_SMI_REPLAY: path.join(fixtures, 'two-gpu-query-gpu.csv'),
      FAKE_NVIDIA_SMI_APPS: path.join(
        fixtures,
        'two-gpu-query-compute-apps.csv'
      ),
      JUPYTERLAB_GPU_SESSION_NVML_LIB: '/nonexistent/libnvidia-ml.so.1'
    },
    maxBuffer: 64 * 1024 * 1024
  });
  if (r.status !== 0) {
    throw new Error(`probe replies: ${r.stderr}`);
  }
  return r.stdout.split('\n').filter(Boolean);
}

/** The simulation, in a child Node process started with --expose-gc. */
async function simulate(options) {
  const { ResourceMonitor } = require(path.join(cjs, 'monitor', 'monitor.js'));
  const { DEFAULT_MONITOR_SETTINGS } = require(
    path.join(cjs, 'monitor', 'settings.js')
  );
  const { decodeReply } = require(path.join(cjs, 'monitor', 'parser.js'));
  const replies = options.replies;
  const first = decodeReply(replies[0]);
  if (!first.ok) {
    throw new Error(`the parser rejects the probe's reply: ${first.error}`);
  }
  const gpus = first.sample.gpus.length;
  let i = 0;
  const transport = {
    description: 'bench stand-in',
    isDisposed: false,
    async request() {
      const parsed = decodeReply(replies[i++ % replies.length]);
      return parsed.ok
        ? { kind: 'sample', sample: parsed.sample }
        : { kind: 'invalid', error: parsed.error };
    },
    async stop() {},
    dispose() {}
  };
  let now = Date.UTC(2026, 0, 1);
  const settings = { ...DEFAULT_MONITOR_SETTINGS, idlePauseMs: 0 };
  const monitor = new ResourceMonitor({
    transport,
    settings,
    now: () => now,
    isHidden: () => false
  });
  const keys = ['ram-percent'];
  for (let g = 0; g < gpus; g++) {
    keys.push(`gpu-${g}-utilization-percent`, `gpu-${g}-memory-percent`);
  }
  let pointsRead = 0;
  monitor.changed.connect(() => {
    for (const key of keys) {
      pointsRead += monitor.history.points(key, now - 10 * 60 * 1000).times
        .length;
    }
  });
  // heapUsed does not count ArrayBuffer backing stores (the history's
  // typed arrays live there): both are recorded, the sum is compared
  const heaps = [];
  const heap = () => {
    global.gc();
    global.gc();
    const m = process.memoryUsage();
    heaps.push({ heapUsed: m.heapUsed, arrayBuffers: m.arrayBuffers });
    return m.heapUsed + m.arrayBuffers;
  };
  const perHour = Math.round(3600000 / settings.intervalMs);
  const hours = options.hours;
  const byHour = [heap()];
  const t0 = process.hrtime.bigint();
  for (let h = 1; h <= hours; h++) {
    for (let k = 0; k < perHour; k++) {
      now += settings.intervalMs;
      // One poll tick by hand (the monitor's own, private): the Poll's
      // timers would run on the wall clock, and only memory is measured.
      await monitor._tick();
    }
    byHour.push(heap());
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (monitor.sampleCount !== hours * perHour) {
    throw new Error(
      `expected ${hours * perHour} samples, the monitor has ${monitor.sampleCount}`
    );
  }
  // least-squares slope over hours 2..N (the history is full after 40 min)
  const xs = [];
  const ys = [];
  for (let h = 2; h <= hours; h++) {
    xs.push(h);
    ys.push(byHour[h]);
  }
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let num = 0;
  let den = 0;
  xs.forEach((x, j) => {
    num += (x - mx) * (ys[j] - my);
    den += (x - mx) ** 2;
  });
  const result = {
    what: 'Node heapUsed + arrayBuffers after gc: ResourceMonitor + SampleHistory + decodeReply fed real probe replies (2 fake GPUs), simulated clock',
    node: process.version,
    interval_ms: settings.intervalMs,
    samples_per_hour: perHour,
    hours,
    samples: monitor.sampleCount,
    gpus,
    history_series: monitor.history.keys.length,
    history_capacity: monitor.history.capacity,
    history_points: monitor.history.length,
    points_read_by_listener: pointsRead,
    distinct_replies: replies.length,
    heap_start_bytes: byHour[0],
    heap_1h_bytes: byHour[1],
    heap_24h_bytes: byHour[hours],
    growth_1h_to_end_bytes: byHour[hours] - byHour[1],
    slope_bytes_per_hour: den ? Math.round(num / den) : null,
    heap_by_hour_bytes: byHour,
    heap_used_by_hour_bytes: heaps.map(x => x.heapUsed),
    array_buffers_by_hour_bytes: heaps.map(x => x.arrayBuffers),
    wall_s: Math.round(seconds * 10) / 10
  };
  monitor.dispose();
  return result;
}

async function main() {
  if (process.argv.includes('--child')) {
    const options = JSON.parse(fs.readFileSync(arg('--child'), 'utf8'));
    const res = await simulate(options);
    process.stdout.write(JSON.stringify(res));
    return 0;
  }
  const out = arg('--out');
  const hours = Number(arg('--hours', '24'));
  fs.mkdirSync(tmp, { recursive: true });
  const built = compile();
  const replies = probeReplies(Number(process.env.BENCH_HEAP_REPLIES || 20));
  const input = path.join(tmp, 'heap-input.json');
  fs.writeFileSync(input, JSON.stringify({ replies, hours }));
  const r = spawnSync(
    process.execPath,
    ['--expose-gc', __filename, '--child', input],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }
  );
  if (r.status !== 0) {
    process.stderr.write(r.stderr);
    return 1;
  }
  const res = JSON.parse(r.stdout);
  res.tsc_diagnostics = built.diagnostics;
  const mb = b => (b / 1e6).toFixed(3);
  console.error(
    `heap (Node, ${res.samples} samples, ${res.hours} h simulated in ${res.wall_s} s): ` +
      `start ${mb(res.heap_start_bytes)} MB, 1 h ${mb(res.heap_1h_bytes)} MB, ` +
      `${res.hours} h ${mb(res.heap_24h_bytes)} MB, growth ${mb(res.growth_1h_to_end_bytes)} MB, ` +
      `slope ${res.slope_bytes_per_hour} B/h`
  );
  if (out) {
    fs.writeFileSync(out, JSON.stringify(res, null, 2) + '\n');
  }
  return 0;
}

main().then(
  code => {
    process.exitCode = code;
  },
  err => {
    console.error(err);
    process.exitCode = 1;
  }
);
