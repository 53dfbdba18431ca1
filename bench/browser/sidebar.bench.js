/**
 * Browser benchmarks of the GPU sidebar against a real JupyterLab, real
 * kernels and Debian's chromium (DESIGN.md section 6).
 *
 * Every time is taken inside the page with performance.now(), so Playwright's
 * own round trips to the browser are not in the numbers. The results are
 * written, one key per test, to the JSON file named by BENCH_BROWSER_OUT.
 *
 *   first_sample      gpu-session:open -> data-sample-count grows, starting
 *                     with no monitor kernel (the kernel starts, gets the
 *                     probe source, answers its first sample); repeated after
 *                     closing the sidebar, which shuts the monitor kernel down
 *   roundtrip_*       one `await commands.execute('gpu-session:refresh')`:
 *                     browser -> monitor kernel -> browser, parsed, rendered
 *   render            one full sidebar re-render (sections + history plots)
 *                     with ~300 points per line, 4 lines with values
 */
const fs = require('fs');
const path = require('path');

const uiModules = path.resolve(
  __dirname,
  '..',
  '..',
  'ui-tests',
  'node_modules'
);
const { test, expect, galata } = require(
  require.resolve('@jupyterlab/galata', { paths: [uiModules] })
);

const SIDEBAR = '#jp-GpuSession-sidebar';
const OUT =
  process.env.BENCH_BROWSER_OUT ||
  path.resolve(__dirname, '..', '.tmp', 'browser.json');
const FAKE_SMI = path.resolve(
  __dirname,
  '..',
  '..',
  'tests',
  'fakes',
  'nvidia-smi'
);
const ROUNDTRIPS = Number(process.env.BENCH_ROUNDTRIPS || 60);
const FIRST_SAMPLE_REPEATS = Number(
  process.env.BENCH_FIRST_SAMPLE_REPEATS || 5
);
const HISTORY_POINTS = Number(process.env.BENCH_HISTORY_POINTS || 300);

const OVERHEAD_WINDOW_S = Number(process.env.BENCH_OVERHEAD_WINDOW_S || 60);
const HEAP_HOURS = Number(process.env.BENCH_HEAP_HOURS || 24);
// appended to the keys of the round-trip results (the BENCH_SERVER_NODELAY run)
const KEY_SUFFIX = process.env.BENCH_KEY_SUFFIX || '';
const CLK_TCK = 100; // USER_HZ on Linux

// --------------------------------------------------------------------------
// helpers

/** The first pid whose argv passes `test`, or null (Linux /proc). */
function pidWhere(test) {
  for (const name of fs.readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(name)) {
      continue;
    }
    try {
      if (
        test(fs.readFileSync(`/proc/${name}/cmdline`, 'latin1').split('\0'))
      ) {
        return Number(name);
      }
    } catch {
      // gone
    }
  }
  return null;
}

/** The pid whose command line contains `needle`, or null. */
function findPid(needle) {
  return pidWhere(argv => argv.join('\0').includes(needle));
}

/**
 * The Jupyter server's pid: the process started with the bench's config
 * file that is not the shell wrapping it.
 */
function serverPid() {
  return pidWhere(
    argv =>
      argv.some(a => a.endsWith('jupyter_server_bench_config.py')) &&
      !/(^|\/)(ba|da)?sh$/.test(argv[0])
  );
}

/** Where the sidebar says the latest sample was read. */
async function transportShown(page) {
  return page.evaluate(
    sidebar =>
      document.querySelector(`${sidebar} .jp-GpuSession-transport`)
        ?.textContent ?? null,
    SIDEBAR
  );
}

/** ppid and utime + stime ticks of a process. */
function procStat(pid) {
  const text = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { ppid: Number(rest[1]), ticks: Number(rest[11]) + Number(rest[12]) };
}

/**
 * CPU of a process: run time in ns summed over its live threads
 * (/proc/PID/task/TID/schedstat, first field), and utime + stime ticks of
 * the whole process (/proc/PID/stat, which also counts exited threads).
 */
function procCpu(pid) {
  let ns = 0;
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(
        fs
          .readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'latin1')
          .split(' ')[0]
      );
    } catch {
      // the thread ended
    }
  }
  return { ns, ticks: procStat(pid).ticks };
}

function vmRss(pid) {
  const m = /VmRSS:\s+([0-9]+) kB/.exec(
    fs.readFileSync(`/proc/${pid}/status`, 'latin1')
  );
  return m ? Number(m[1]) * 1024 : null;
}

function stats(values) {
  const s = [...values].sort((a, b) => a - b);
  if (!s.length) {
    return null;
  }
  const at = q =>
    s[Math.max(0, Math.min(s.length - 1, Math.ceil((q / 100) * s.length) - 1))];
  const r = x => Math.round(x * 1000) / 1000;
  return {
    n: s.length,
    median: r(
      s.length % 2
        ? s[(s.length - 1) / 2]
        : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
    ),
    p95: r(at(95)),
    mean: r(s.reduce((a, b) => a + b, 0) / s.length),
    min: r(s[0]),
    max: r(s[s.length - 1])
  };
}

function record(key, value) {
  let all = {};
  try {
    all = JSON.parse(fs.readFileSync(OUT, 'utf8'));
  } catch {
    // first result
  }
  all[key] = value;
  fs.mkdirSync(path.dirname(OUT), { recursive: true });
  fs.writeFileSync(OUT, JSON.stringify(all, null, 2) + '\n');
}

async function runningKernels(page) {
  const response = await page.request.get('/api/kernels');
  return response.json();
}

async function waitNoKernels(page) {
  await expect
    .poll(async () => (await runningKernels(page)).length, { timeout: 60000 })
    .toBe(0);
}

/** The labextension the page loaded (its remoteEntry), to tell prod from dev. */
async function servedBuild(page) {
  return page.evaluate(() => {
    const data = JSON.parse(
      document.getElementById('jupyter-config-data').textContent
    );
    const ext = (data.federated_extensions || []).find(
      e => e.name === 'jupyterlab-gpu-session'
    );
    return ext ? ext.load : null;
  });
}

/** Time gpu-session:open until the sample count grows, in the page. */
async function timeOpen(page) {
  return page.evaluate(async sidebar => {
    const count = () => {
      const node = document.querySelector(sidebar);
      return node ? Number(node.dataset.sampleCount || '0') : 0;
    };
    const before = count();
    let observer;
    const arrived = new Promise(resolve => {
      observer = new MutationObserver(() => {
        if (count() > before) {
          resolve(performance.now());
        }
      });
      observer.observe(document.body, {
        subtree: true,
        childList: true,
        attributes: true,
        attributeFilter: ['data-sample-count']
      });
    });
    const timeout = new Promise(resolve =>
      setTimeout(() => resolve(null), 60000)
    );
    const t0 = performance.now();
    await window.jupyterapp.commands.execute('gpu-session:open');
    const t1 = await Promise.race([arrived, timeout]);
    observer.disconnect();
    return { ms: t1 === null ? null : t1 - t0, before, after: count() };
  }, SIDEBAR);
}

/**
 * `n` timed refreshes in the page. A refresh that finds a poll tick in flight
 * returns at once without a sample ("busy"); those, and any without a valid
 * sample, are not counted and are retried.
 */
async function timeRefreshes(page, n, warmup = 5) {
  return page.evaluate(
    async ({ sidebar, n, warmup }) => {
      const node = document.querySelector(sidebar);
      const count = () => Number(node.dataset.sampleCount || '0');
      const app = window.jupyterapp;
      const times = [];
      let discarded = 0;
      let tries = 0;
      while (times.length < n + warmup && tries < 3 * (n + warmup)) {
        tries++;
        const before = count();
        const t0 = performance.now();
        await app.commands.execute('gpu-session:refresh');
        const dt = performance.now() - t0;
        if (count() > before) {
          times.push(dt);
        } else {
          discarded++;
        }
        // let the event loop breathe, as between two real ticks
        await new Promise(resolve => setTimeout(resolve, 5));
      }
      return { times: times.slice(warmup), discarded };
    },
    { sidebar: SIDEBAR, n, warmup }
  );
}

async function openAndWait(page) {
  const t = await timeOpen(page);
  expect(t.ms).not.toBeNull();
  await expect(page.locator(SIDEBAR)).toBeVisible();
  return t;
}

// --------------------------------------------------------------------------
// the benchmarks

// Tests run in file order in one worker; one failing does not skip the rest.

test.describe('JS fetched', () => {
  // The extension's own JS the page really fetches: at JupyterLab's start
  // (until the app is restored and the network is idle), then when the
  // sidebar is first opened. Gzip level 9 of each body, as js_size.py does.
  // Its other files (the probe's source) are recorded apart as assets.
  test('at JupyterLab start and on first opening the sidebar', async ({
    browser,
    baseURL
  }) => {
    const zlib = require('zlib');
    const context = await browser.newContext();
    const page = await context.newPage();
    const fetched = [];
    let phase = 'start';
    page.on('response', async response => {
      const url = response.url();
      if (!/\/extensions\/jupyterlab-gpu-session\/static\//.test(url)) {
        return;
      }
      const body = await response.body().catch(() => null);
      if (body) {
        const file = url.split('/static/')[1].split('?')[0];
        fetched.push({
          phase,
          file,
          // The probe's source and the checkpoint helper are text files
          // of the extension, not JS: counted apart, never hidden.
          kind: file.endsWith('.js') ? 'js' : 'asset',
          bytes: body.length,
          gzip_bytes: zlib.gzipSync(body, { level: 9 }).length
        });
      }
    });
    await page.goto(`${baseURL}/lab`);
    await page.waitForFunction(() => window.jupyterapp?.started !== undefined);
    await page.evaluate(() => window.jupyterapp.restored);
    await page.waitForLoadState('networkidle');
    await page.waitForTimeout(2000);
    phase = 'sidebar';
    await page.evaluate(() =>
      window.jupyterapp.commands.execute('gpu-session:open')
    );
    await expect(
      page.locator(`${SIDEBAR} .jp-GpuSession-status`)
    ).toBeVisible();
    await page.waitForLoadState('networkidle');
    await page.waitForTimeout(2000);
    const sum = (which, kind = 'js') =>
      fetched
        .filter(f => f.phase === which && f.kind === kind)
        .reduce((a, f) => a + f.gzip_bytes, 0);
    record('js_fetched', {
      what: 'gzipped bytes of the extension JS the page fetched (assets: its other files, not JS)',
      start_gzip_bytes: sum('start'),
      sidebar_gzip_bytes: sum('sidebar'),
      start_asset_gzip_bytes: sum('start', 'asset'),
      sidebar_asset_gzip_bytes: sum('sidebar', 'asset'),
      files: fetched
    });
    await context.close();
  });
});

/**
 * gpu-session:open until the first sample, with no kernel running, five
 * times (closing the sidebar in between stops the monitor and whatever it
 * holds); recorded under `key`.
 */
async function firstSamples(page, key, what) {
  await waitNoKernels(page);
  const runs = [];
  let transport = null;
  for (let i = 0; i < FIRST_SAMPLE_REPEATS; i++) {
    const kernels = (await runningKernels(page)).length;
    expect(kernels).toBe(0);
    const t = await openAndWait(page);
    runs.push(t.ms);
    transport = await transportShown(page);
    await page.evaluate(() => window.jupyterapp.shell.collapseRight());
    await waitNoKernels(page);
  }
  record(key, {
    what,
    transport,
    first_ms: Math.round(runs[0]),
    runs_ms: runs.map(x => Math.round(x)),
    stats_ms: stats(runs)
  });
}

/** Refresh round trips with no notebook open, recorded under `key`. */
async function noNotebookRoundTrips(page, key) {
  await openAndWait(page);
  const r = await timeRefreshes(page, ROUNDTRIPS);
  record(key + KEY_SUFFIX, {
    transport: await transportShown(page),
    discarded: r.discarded,
    stats_ms: stats(r.times)
  });
}

test.describe('CPU-only host', () => {
  test('first sample after opening the sidebar', async ({ page }) => {
    const load = await servedBuild(page);
    record('served_labextension', {
      load,
      expected: process.env.BENCH_EXPECT_LOAD || null,
      production:
        process.env.BENCH_EXPECT_LOAD && load
          ? load.endsWith(process.env.BENCH_EXPECT_LOAD)
          : null
    });
    await firstSamples(
      page,
      'first_sample',
      'gpu-session:open until data-sample-count grows, no kernel running, no notebook (the server takes the sample)'
    );
  });

  test('first sample with the monitor kernel already running', async ({
    page
  }) => {
    // A notebook is open, so the monitor runs (and its kernel with it) while
    // the sidebar is closed; opening the sidebar then needs no kernel start.
    // Timed from gpu-session:open: until the visible sidebar shows a sample
    // (the one the monitor already has), and until the next fresh sample
    // arrives (the count grows). Open, close, reopen: 5 times.
    await page.evaluate(() => window.jupyterapp.shell.collapseRight());
    await page.notebook.createNew('first-sample.ipynb');
    await expect
      .poll(
        () =>
          page.evaluate(
            sidebar =>
              Number(
                document.querySelector(sidebar)?.dataset.sampleCount || '0'
              ),
            SIDEBAR
          ),
        { timeout: 60000 }
      )
      .toBeGreaterThan(0);
    const runs = [];
    for (let i = 0; i < FIRST_SAMPLE_REPEATS; i++) {
      const kernelsBefore = (await runningKernels(page)).length;
      const t = await page.evaluate(async sidebar => {
        const node = () => document.querySelector(sidebar);
        const count = () => Number(node()?.dataset.sampleCount || '0');
        const before = count();
        const t0 = performance.now();
        await window.jupyterapp.commands.execute('gpu-session:open');
        let shown = null;
        let fresh = null;
        const deadline = t0 + 30000;
        while (
          (shown === null || fresh === null) &&
          performance.now() < deadline
        ) {
          const n = node();
          const visible = !!n && n.offsetParent !== null;
          if (shown === null && visible && count() > 0) {
            shown = performance.now() - t0;
          }
          if (fresh === null && count() > before) {
            fresh = performance.now() - t0;
          }
          await new Promise(resolve => requestAnimationFrame(resolve));
        }
        return { shown, fresh };
      }, SIDEBAR);
      expect(t.shown).not.toBeNull();
      expect(t.fresh).not.toBeNull();
      runs.push({ ...t, kernels_before: kernelsBefore });
      await page.evaluate(() => window.jupyterapp.shell.collapseRight());
      await page.waitForTimeout(1000);
    }
    // the monitor never stopped, in a subshell of the notebook's kernel:
    // no other kernel
    expect((await runningKernels(page)).length).toBe(1);
    record('first_sample_kernel_running', {
      what: "gpu-session:open with a notebook open (the monitor already running, in the notebook kernel's subshell): until the visible sidebar shows a sample (shown), and until the next fresh sample (fresh)",
      transport: await transportShown(page),
      shown_ms: runs.map(r => Math.round(r.shown)),
      fresh_ms: runs.map(r => Math.round(r.fresh)),
      kernels_before: runs.map(r => r.kernels_before),
      shown_stats_ms: stats(runs.map(r => r.shown)),
      fresh_stats_ms: stats(runs.map(r => r.fresh))
    });
  });

  test('round trip, no notebook', async ({ page }) => {
    await noNotebookRoundTrips(page, 'roundtrip_no_notebook');

    // The floor: the same silent execute_request with a trivial user
    // expression ("1") to a fresh ipykernel of the same server, no probe.
    const base = await page.evaluate(
      async ({ n, warmup }) => {
        const kernels = window.jupyterapp.serviceManager.kernels;
        const kernel = await kernels.startNew({ name: 'python3' });
        while (kernel.connectionStatus !== 'connected') {
          await new Promise(resolve => setTimeout(resolve, 20));
        }
        await kernel.requestKernelInfo();
        const times = [];
        for (let i = 0; i < n + warmup; i++) {
          const t0 = performance.now();
          await kernel.requestExecute(
            {
              code: '',
              silent: true,
              store_history: false,
              allow_stdin: false,
              stop_on_error: false,
              user_expressions: { x: '1' }
            },
            true
          ).done;
          times.push(performance.now() - t0);
          await new Promise(resolve => setTimeout(resolve, 5));
        }
        await kernel.shutdown();
        return times.slice(warmup);
      },
      { n: ROUNDTRIPS, warmup: 5 }
    );
    record('baseline_silent_execute' + KEY_SUFFIX, {
      what: 'silent execute_request with user_expressions {x: "1"} to a fresh ipykernel, no probe',
      stats_ms: stats(base)
    });
  });

  test('round trip, notebook kernel idle then busy', async ({ page }) => {
    await page.notebook.createNew('bench.ipynb');
    await page.notebook.setCell(0, 'code', '1 + 1');
    await page.notebook.runCell(0, true);
    await openAndWait(page);
    // the probe found the notebook's kernel
    await expect(
      page.locator(`${SIDEBAR} .jp-GpuSession-kernel dl`)
    ).toBeVisible();
    const idle = await timeRefreshes(page, ROUNDTRIPS);
    record('roundtrip_kernel_idle', {
      transport: await transportShown(page),
      discarded: idle.discarded,
      stats_ms: stats(idle.times)
    });

    await page.notebook.setCell(0, 'code', 'import time\ntime.sleep(600)');
    await page.evaluate(() => {
      void window.jupyterapp.commands.execute('notebook:run-cell');
    });
    const prompt = page.locator('.jp-Cell .jp-InputPrompt').first();
    await expect(prompt).toHaveText('[*]:');
    const busy = await timeRefreshes(page, ROUNDTRIPS);
    // the cell still runs: the numbers are for a busy notebook kernel
    await expect(prompt).toHaveText('[*]:', { timeout: 1000 });
    record('roundtrip_kernel_busy', {
      transport: await transportShown(page),
      busy_cell: 'time.sleep(600)',
      discarded: busy.discarded,
      stats_ms: stats(busy.times)
    });
    // galata's teardown shuts the sleeping kernel down
  });
});

/**
 * "on": sidebar open, no notebook, default interval, for windowS; "off":
 * the same page with the sidebar closed (the monitor stopped, a monitor
 * kernel shut down), for windowS again. CPU from /proc: schedstat run time
 * (ns) summed over the threads of each process, and utime + stime ticks
 * (10 ms) as a cross-check. The server's share is its CPU "on" minus
 * "off"; a monitor kernel's, where one runs, is all monitoring. windowS
 * must stay under the idle pause (10 min without input).
 */
async function overhead(page, key, what) {
  const windowS = OVERHEAD_WINDOW_S;
  await waitNoKernels(page);
  await openAndWait(page);
  const kernels = await runningKernels(page);
  expect(kernels.length).toBeLessThanOrEqual(1);
  const kernelPid = kernels.length
    ? findPid(`kernel-${kernels[0].id}.json`)
    : null;
  const server = serverPid();
  expect(server).not.toBeNull();
  const count = () =>
    page.locator(SIDEBAR).getAttribute('data-sample-count').then(Number);
  const snap = async on => ({
    k: on && kernelPid ? procCpu(kernelPid) : null,
    s: procCpu(server),
    kRss: on && kernelPid ? vmRss(kernelPid) : null,
    sRss: vmRss(server),
    n: on ? await count() : null,
    t: Date.now()
  });
  // on: the sidebar polls at the default interval
  await page.waitForTimeout(3000);
  const transport = await transportShown(page);
  const on0 = await snap(true);
  await page.waitForTimeout(windowS * 1000);
  const on1 = await snap(true);
  // off: sidebar closed, monitor stopped; the same page idles
  await page.evaluate(() => window.jupyterapp.shell.collapseRight());
  await waitNoKernels(page);
  await page.waitForTimeout(3000);
  const off0 = await snap(false);
  await page.waitForTimeout(windowS * 1000);
  const off1 = await snap(false);
  const pctNs = (a, b, ms) => (a && b ? (100 * (b.ns - a.ns)) / 1e6 / ms : 0);
  const pctTicks = (a, b, ms) =>
    a && b ? (100 * (b.ticks - a.ticks)) / CLK_TCK / (ms / 1000) : 0;
  const onMs = on1.t - on0.t;
  const offMs = off1.t - off0.t;
  const r3 = x => Math.round(x * 1000) / 1000;
  const kernelPct = pctNs(on0.k, on1.k, onMs);
  const serverOn = pctNs(on0.s, on1.s, onMs);
  const serverOff = pctNs(off0.s, off1.s, offMs);
  const samples = on1.n - on0.n;
  const mb = b => (b === null ? null : Math.round((b / 1e6) * 10) / 10);
  const extraServerNs =
    on1.s.ns - on0.s.ns - ((off1.s.ns - off0.s.ns) * onMs) / offMs;
  record(key, {
    what,
    transport,
    window_s: windowS,
    samples_in_window: samples,
    kernel_cpu_percent: kernelPid ? r3(kernelPct) : null,
    server_cpu_percent_on: r3(serverOn),
    server_cpu_percent_off: r3(serverOff),
    total_percent_of_one_cpu: r3(kernelPct + Math.max(0, serverOn - serverOff)),
    ticks: {
      kernel_cpu_percent: kernelPid ? r3(pctTicks(on0.k, on1.k, onMs)) : null,
      server_cpu_percent_on: r3(pctTicks(on0.s, on1.s, onMs)),
      server_cpu_percent_off: r3(pctTicks(off0.s, off1.s, offMs))
    },
    kernel_cpu_ms_per_sample: kernelPid
      ? r3((on1.k.ns - on0.k.ns) / 1e6 / samples)
      : null,
    server_extra_cpu_ms_per_sample: r3(extraServerNs / 1e6 / samples),
    kernel_rss_mb: mb(on1.kRss),
    kernel_rss_mib:
      on1.kRss === null ? null : Math.round((on1.kRss / 1048576) * 10) / 10,
    kernel_rss_start_mb: mb(on0.kRss),
    kernel_rss_growth_mb: on1.kRss === null ? null : mb(on1.kRss - on0.kRss),
    server_rss_mb: {
      on_start: mb(on0.sRss),
      on_end: mb(on1.sRss),
      off_end: mb(off1.sRss)
    }
  });
}

test.describe('monitor overhead (CPU-only host)', () => {
  test('server and kernel CPU and memory at the default cadence', async ({
    page
  }) => {
    test.setTimeout(2 * OVERHEAD_WINDOW_S * 1000 + 180000);
    await overhead(
      page,
      'overhead',
      'extra CPU of the Jupyter server (and of a monitor kernel, where one runs) with the monitor on vs off, sidebar open, no notebook, default interval; /proc/PID/task/*/schedstat run time (ns), ticks as a cross-check; RSS at the start and end of the window'
    );
  });
});

test.describe('the monitor kernel (transport forced)', () => {
  // Where the server cannot take samples (no server part, kernels on a
  // gateway): the monitor kernel's own start, round trip and cost.
  test.use({
    mockSettings: {
      ...galata.DEFAULT_SETTINGS,
      'jupyterlab-gpu-session:monitor': { transport: 'monitor-kernel' }
    }
  });

  test('first sample, kernel start included', async ({ page }) => {
    await firstSamples(
      page,
      'first_sample_monitor_kernel',
      'gpu-session:open until data-sample-count grows, no kernel running, transport monitor-kernel (the monitor kernel starts, gets the probe source, answers)'
    );
  });

  test('round trip, no notebook', async ({ page }) => {
    await noNotebookRoundTrips(page, 'roundtrip_no_notebook_monitor_kernel');
  });

  test('kernel and server CPU and memory at the default cadence', async ({
    page
  }) => {
    test.setTimeout(2 * OVERHEAD_WINDOW_S * 1000 + 180000);
    await overhead(
      page,
      'overhead_monitor_kernel',
      'as overhead, with transport monitor-kernel: the monitor kernel CPU and the extra server CPU'
    );
  });
});

test.describe('two simulated GPUs (fake nvidia-smi)', () => {
  test.use({
    mockSettings: {
      ...galata.DEFAULT_SETTINGS,
      'jupyterlab-gpu-session:monitor': {
        gpuSource: 'nvidia-smi',
        nvidiaSmiPath: FAKE_SMI
      }
    }
  });

  test('round trip and sidebar render with full history', async ({ page }) => {
    await openAndWait(page);
    await expect(page.locator(`${SIDEBAR} .jp-GpuSession-gpu`)).toHaveCount(2);
    // fill the history: one point per sample
    const fill = await timeRefreshes(page, HISTORY_POINTS);
    record('roundtrip_fake_smi_two_gpus', {
      note: 'each sample runs the fake nvidia-smi (a Python script) twice',
      discarded: fill.discarded,
      stats_ms: stats(fill.times)
    });
    const render = await page.evaluate(
      async ({ sidebar, repeats }) => {
        const app = window.jupyterapp;
        let panel = null;
        for (const w of app.shell.widgets('right')) {
          if (w.id === sidebar.slice(1)) {
            panel = w;
          }
        }
        if (!panel || !Array.isArray(panel.widgets)) {
          return { error: 'sidebar panel or its sections not found' };
        }
        // Every section renders on an update request; sent by hand they
        // render at once (what a sample's update does on the next frame).
        const update = { type: 'update-request', isConflatable: true };
        const renderAll = () => {
          for (const section of panel.widgets) {
            section.processMessage(update);
          }
        };
        let points = null;
        try {
          points = panel._monitor.history.points('ram-percent', 0).times.length;
        } catch {
          // private field renamed: leave unknown
        }
        const canvases = [...panel.node.querySelectorAll('canvas')].map(c => ({
          w: c.width,
          h: c.height,
          hidden: !!c.closest('[hidden]')
        }));
        const js = [];
        const withLayout = [];
        for (let i = 0; i < repeats; i++) {
          // one frame apart, as real updates are
          await new Promise(resolve => requestAnimationFrame(resolve));
          const t0 = performance.now();
          renderAll();
          const t1 = performance.now();
          panel.node.getBoundingClientRect(); // force style + layout
          const t2 = performance.now();
          js.push(t1 - t0);
          withLayout.push(t2 - t0);
        }
        return { points, canvases, js, withLayout };
      },
      { sidebar: SIDEBAR, repeats: 100 }
    );
    expect(render.error).toBeUndefined();
    record('render', {
      what: 'an update request to every section of the panel, handled at once: sections rendered + 3 canvas plots (2 GPUs: 5 lines, 4 with values)',
      history_points_per_line: render.points,
      canvases: render.canvases,
      js_ms: stats(render.js),
      js_plus_layout_ms: stats(render.withLayout)
    });
  });
  test('JS heap after a simulated 24 h session', async ({ page }) => {
    // The live page with the production build: the real monitor, history,
    // sidebar (visible, plots drawn), status item and warnings, fed one
    // sample per simulated interval. Only the kernel is replaced: after the
    // first real sample, the monitor's transport hands back copies of that
    // sample (with its timestamp moved on), and the clock (Date.now and the
    // clocks the monitor and the panel captured) is simulated, so a day
    // passes in minutes. Heap: CDP HeapProfiler.collectGarbage (twice), then
    // Runtime.getHeapUsage, after each simulated hour.
    test.setTimeout(HEAP_HOURS * 120000 + 120000);
    await openAndWait(page);
    await expect(page.locator(`${SIDEBAR} .jp-GpuSession-gpu`)).toHaveCount(2);
    const setup = await page.evaluate(sidebar => {
      const app = window.jupyterapp;
      let panel = null;
      for (const w of app.shell.widgets('right')) {
        if (w.id === sidebar.slice(1)) {
          panel = w;
        }
      }
      const monitor = panel && panel._monitor;
      if (!monitor || !monitor._transport || !monitor.sample) {
        return { error: 'sidebar, monitor, transport or sample not found' };
      }
      const realNow = Date.now;
      const sim = { t: realNow(), realNow };
      const template = JSON.parse(JSON.stringify(monitor.sample));
      const real = monitor._transport;
      if (monitor._poll && typeof monitor._poll.stop === 'function') {
        void monitor._poll.stop();
      }
      const clock = () => sim.t;
      Date.now = clock;
      if (monitor._now === realNow) {
        monitor._now = clock;
      }
      if (panel._now === realNow) {
        panel._now = clock;
      }
      monitor._transport = {
        description: 'bench stand-in',
        isDisposed: false,
        async request() {
          const sample = JSON.parse(JSON.stringify(template));
          sample.timestamp = sim.t / 1000;
          return { kind: 'sample', sample };
        },
        async stop() {},
        dispose() {}
      };
      window.__gpuSessionHeapBench = { monitor, panel, sim, real };
      // let go of the real monitor kernel: nothing uses it any more
      void real.stop();
      return {
        intervalMs: monitor.settings.intervalMs,
        visible: panel.isVisible
      };
    }, SIDEBAR);
    expect(setup.error).toBeUndefined();
    const perHour = Math.round(3600000 / setup.intervalMs);
    // galata's page is a proxy: CDP wants the Playwright page behind it
    const cdp = await page.context().newCDPSession(page.page ?? page);
    await cdp.send('HeapProfiler.enable');
    const heap = async () => {
      await cdp.send('HeapProfiler.collectGarbage');
      await cdp.send('HeapProfiler.collectGarbage');
      return cdp.send('Runtime.getHeapUsage');
    };
    const byHour = [await heap()];
    const wall = [];
    for (let h = 1; h <= HEAP_HOURS; h++) {
      const ms = await page.evaluate(
        async ({ n, interval }) => {
          const { monitor, sim } = window.__gpuSessionHeapBench;
          // a macrotask between samples, as between two real ticks, without
          // setTimeout's 4 ms clamp; a frame every 60 samples
          const channel = new MessageChannel();
          const yieldTask = () =>
            new Promise(resolve => {
              channel.port1.onmessage = () => resolve();
              channel.port2.postMessage(null);
            });
          const t0 = performance.now();
          for (let i = 0; i < n; i++) {
            sim.t += interval;
            // one poll tick by hand: the poll itself is stopped above
            await monitor._tick();
            await yieldTask();
            if (i % 60 === 59) {
              await new Promise(resolve => requestAnimationFrame(resolve));
            }
          }
          channel.port1.close();
          return performance.now() - t0;
        },
        { n: perHour, interval: setup.intervalMs }
      );
      wall.push(ms);
      byHour.push(await heap());
    }
    const end = await page.evaluate(() => {
      const { monitor, panel, sim } = window.__gpuSessionHeapBench;
      Date.now = sim.realNow;
      return {
        samples: monitor.sampleCount,
        historyPoints: monitor.history.length,
        sampleCountShown: Number(panel.node.dataset.sampleCount || '0'),
        domNodes: document.getElementsByTagName('*').length
      };
    });
    const used = byHour.map(u => u.usedSize);
    const last = used.length - 1;
    record('heap_browser', {
      what: 'Chromium JS heap (Runtime.getHeapUsage usedSize after HeapProfiler.collectGarbage x2) of the live page, the monitor fed one copied sample per simulated interval, sidebar visible',
      hours: HEAP_HOURS,
      interval_ms: setup.intervalMs,
      samples: end.samples,
      history_points: end.historyPoints,
      dom_nodes_at_end: end.domNodes,
      heap_start_bytes: used[0],
      heap_1h_bytes: used[1],
      heap_end_bytes: used[last],
      growth_1h_to_end_bytes: last >= 1 ? used[last] - used[1] : null,
      heap_by_hour_bytes: used,
      heap_usage_by_hour: byHour,
      simulated_hour_wall_ms: wall.map(x => Math.round(x))
    });
  });
});
