#!/usr/bin/env node
/**
 * Many users on one node: what monitoring costs the node with N single-user
 * servers of a real JupyterHub (ui-tests/hub/jupyterhub_config.py), each with
 * a JupyterLab page in headless chromium.
 *
 *   node bench/hub_users.js [--users 1,5,10] [--window 60] [--port 8950]
 *
 * For each N, a fresh hub (no culler) and N logged-in pages:
 *   1. baseline window: the pages open, the sidebar closed;
 *   2. "in use" window: the same pages with the sidebar open, after every
 *      sidebar has shown two samples, each page given a mouse move every
 *      15 s (someone at the page: the 2 s sampling interval);
 *   3. "left open" window: the same pages after more than the monitor's
 *      quiet delay (quietAfterSeconds, 60 s) without input, so they sample
 *      at the quiet interval (10 s): what a tab left open costs.
 * CPU is the sum of utime + stime + cutime + cstime (/proc/PID/stat, clock
 * ticks) of the hub and everything it started (the proxy, the single-user
 * servers, their kernels and whatever those run), first tick to last of the
 * window. The browser is not counted: on a real hub it runs on the user's
 * own machine. Memory: RSS (VmRSS) of each user's server and kernels at the
 * end of each window. GPUs: the fake NVML library (tests/fakes/fake_nvml.c,
 * one Tesla T4), as on a node with a driver, where the probe reads NVML in
 * process; without a C compiler the fake nvidia-smi is used and the results
 * say so.
 *
 * Writes bench/results/hub_users.{json,md}. Every process and page it starts
 * is stopped at the end, also on error or Ctrl-C.
 */
'use strict';
const { spawn, spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const here = __dirname;
const repo = path.resolve(here, '..');
const { chromium } = require(
  path.join(repo, 'ui-tests', 'node_modules', '@playwright/test')
);

const args = process.argv.slice(2);
function option(name, fallback) {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1] : fallback;
}
const COUNTS = option('users', process.env.BENCH_HUB_USERS || '1,5,10')
  .split(',')
  .map(Number)
  .filter(n => n > 0);
const WINDOW_S = Number(
  option('window', process.env.BENCH_HUB_WINDOW_S || '60')
);
const PORT = Number(option('port', process.env.BENCH_HUB_PORT || '8950'));
const OUT_DIR = option('out', path.join(here, 'results'));
const TMP = path.join(here, '.tmp', 'hub-users');
const PASSWORD = 'gpu-session-test';
const HUB_TOKEN = 'gpu-session-tests-not-a-secret';
const CLK_TCK =
  Number(spawnSync('getconf', ['CLK_TCK']).stdout.toString()) || 100;
const BUDGET_PCT_PER_USER = 0.3;
/** A mouse move this often keeps a page "in use" (under the quiet delay). */
const NUDGE_EVERY_S = 15;
/** The monitor's quietAfterSeconds default (schema/monitor.json). */
const QUIET_AFTER_S = JSON.parse(
  fs.readFileSync(path.join(repo, 'schema', 'monitor.json'), 'utf8')
).properties.quietAfterSeconds.default;
const VENV_BIN = path.join(repo, '.venv', 'bin');
const CHROMIUM =
  process.env.PLAYWRIGHT_CHROMIUM_EXECUTABLE_PATH ||
  (fs.existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);

/** Everything started here, for the cleanup. */
const started = { hub: null, browser: null, pids: new Set() };

const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));
const log = (...m) =>
  console.log(`[hub_users ${new Date().toISOString().slice(11, 19)}]`, ...m);

// ---- /proc -------------------------------------------------------------

function readProc(pid, file) {
  try {
    return fs.readFileSync(`/proc/${pid}/${file}`, 'utf-8');
  } catch {
    return null;
  }
}

/** pid -> { ppid, ticks, rssKiB, cmd } of every process still there. */
function processTable() {
  const table = new Map();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) {
      continue;
    }
    const stat = readProc(entry, 'stat');
    if (!stat) {
      continue;
    }
    // The command name is in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ppid = Number(fields[1]);
    // utime stime cutime cstime: fields 14-17 of stat(5), here 11-14.
    const ticks = [11, 12, 13, 14].reduce((s, i) => s + Number(fields[i]), 0);
    const status = readProc(entry, 'status') || '';
    const rss = /VmRSS:\s+(\d+)/.exec(status);
    const cmd = (readProc(entry, 'cmdline') || '').split('\0').join(' ');
    table.set(Number(entry), {
      ppid,
      ticks,
      rssKiB: rss ? Number(rss[1]) : 0,
      cmd
    });
  }
  return table;
}

/** The hub and its descendants, each with its kind and user. */
function hubTree(hubPid) {
  const table = processTable();
  const tree = new Map();
  const visit = (pid, user) => {
    const p = table.get(pid);
    if (!p) {
      return;
    }
    let kind = 'other';
    if (pid === hubPid) {
      kind = 'hub';
    } else if (p.cmd.includes('configurable-http-proxy')) {
      kind = 'proxy';
    } else if (p.cmd.includes('jupyterhub-singleuser')) {
      kind = 'server';
      const env = readProc(pid, 'environ') || '';
      const m = /(?:^|\0)JUPYTERHUB_USER=([^\0]*)/.exec(env);
      user = m ? m[1] : user;
    } else if (p.cmd.includes('ipykernel') || p.cmd.includes('kernel-')) {
      kind = 'kernel';
    }
    tree.set(pid, { ...p, kind, user });
    started.pids.add(pid);
    for (const [child, c] of table) {
      if (c.ppid === pid) {
        visit(child, user);
      }
    }
  };
  visit(hubPid, null);
  return tree;
}

function loadavg() {
  return fs
    .readFileSync('/proc/loadavg', 'utf-8')
    .split(' ')
    .slice(0, 3)
    .map(Number);
}

/**
 * CPU of the hub's tree over `seconds`, in % of one CPU, by kind; RSS at the
 * end by user. A process that started inside the window counts from 0; one
 * that ended inside it lands in its parent's cutime once reaped.
 */
/** Move the mouse on every page: input, as someone at the page gives. */
async function nudge(pages) {
  await Promise.all(
    pages.map((page, i) => page.mouse.move(200 + (i % 7), 300 + (nudges++ % 2)))
  );
}
let nudges = 0;

async function measure(hubPid, seconds, pages, nudgeEveryS = 0) {
  const countsBefore = await sampleCounts(pages);
  const before = hubTree(hubPid);
  const load0 = loadavg();
  const t0 = Date.now();
  if (nudgeEveryS > 0) {
    for (let t = 0; t < seconds; t += nudgeEveryS) {
      await nudge(pages);
      await sleep(Math.min(nudgeEveryS, seconds - t) * 1000);
    }
  } else {
    await sleep(seconds * 1000);
  }
  const after = hubTree(hubPid);
  const wall = (Date.now() - t0) / 1000;
  const countsAfter = await sampleCounts(pages);
  const cpu = { hub: 0, proxy: 0, server: 0, kernel: 0, other: 0 };
  for (const [pid, p] of after) {
    const start = before.get(pid)?.ticks ?? 0;
    cpu[p.kind] += ((p.ticks - start) / CLK_TCK / wall) * 100;
  }
  const total = Object.values(cpu).reduce((s, v) => s + v, 0);
  const users = {};
  for (const p of after.values()) {
    if (
      !p.user ||
      (p.kind !== 'server' && p.kind !== 'kernel' && p.kind !== 'other')
    ) {
      continue;
    }
    const u = (users[p.user] ??= { serverKiB: 0, kernelKiB: 0, kernels: 0 });
    if (p.kind === 'server') {
      u.serverKiB += p.rssKiB;
    } else {
      u.kernelKiB += p.rssKiB;
      u.kernels += p.kind === 'kernel' ? 1 : 0;
    }
  }
  const samples = countsAfter.map((n, i) => n - countsBefore[i]);
  return {
    window_s: Number(wall.toFixed(1)),
    cpu_pct: Object.fromEntries(
      Object.entries(cpu).map(([k, v]) => [k, round(v)])
    ),
    cpu_pct_total: round(total),
    loadavg_start: load0,
    loadavg_end: loadavg(),
    rss_kib_by_user: users,
    samples_per_page: samples
  };
}

const round = v => Number(v.toFixed(3));

// ---- the hub -----------------------------------------------------------

async function startHub(users, envExtra) {
  fs.rmSync(TMP, { recursive: true, force: true });
  fs.mkdirSync(TMP, { recursive: true });
  const logFile = fs.openSync(path.join(TMP, 'hub.log'), 'w');
  const env = {
    ...process.env,
    ...envExtra,
    PATH: `${VENV_BIN}${path.delimiter}${process.env.PATH}`,
    GALATA_HUB_PORT: String(PORT),
    GALATA_HUB_PORT_COUNT: '20',
    GALATA_HUB_TMP: TMP,
    GALATA_HUB_USERS: users.join(','),
    GALATA_HUB_CULL: 'off',
    // JupyterLab's and the extension's defaults: the idle pause (10 min) is
    // far beyond the windows, which start right after the last input.
    GALATA_HUB_IDLE_PAUSE: '10',
    // jupyter_server's default kernel-websocket ping for everybody.
    GALATA_HUB_WS_PING_USERS: users.join(',')
  };
  const hub = spawn(
    path.join(VENV_BIN, 'jupyterhub'),
    ['-f', path.join(repo, 'ui-tests', 'hub', 'jupyterhub_config.py')],
    { cwd: TMP, env, stdio: ['ignore', logFile, logFile] }
  );
  started.hub = hub;
  started.pids.add(hub.pid);
  const deadline = Date.now() + 120000;
  while (Date.now() < deadline) {
    if (hub.exitCode !== null) {
      throw new Error(
        `jupyterhub exited (${hub.exitCode}); see ${TMP}/hub.log`
      );
    }
    try {
      const r = await fetch(`http://127.0.0.1:${PORT}/hub/health`);
      if (r.ok) {
        return hub;
      }
    } catch {
      // not listening yet
    }
    await sleep(1000);
  }
  throw new Error('jupyterhub did not answer /hub/health within 120 s');
}

/** SIGTERM the hub (it stops the servers and the proxy), then any straggler. */
async function stopHub() {
  const hub = started.hub;
  if (hub && hub.exitCode === null) {
    hub.kill('SIGTERM');
    for (let i = 0; i < 60 && hub.exitCode === null; i++) {
      await sleep(500);
    }
    if (hub.exitCode === null) {
      hub.kill('SIGKILL');
    }
  }
  started.hub = null;
  await sleep(1000);
  for (const pid of started.pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  started.pids.clear();
}

// ---- the pages ---------------------------------------------------------

async function login(browser, user) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`http://127.0.0.1:${PORT}/hub/login`);
  await page.locator('#username_input').fill(user);
  await page.locator('#password_input').fill(PASSWORD);
  await page.locator('#login_submit').click();
  await page.waitForURL(new RegExp(`/user/${user}/lab`), { timeout: 300000 });
  await page.waitForFunction(() => !!window.jupyterapp, undefined, {
    timeout: 300000
  });
  await page.evaluate(() => window.jupyterapp.restored);
  await page
    .locator('#jupyterlab-splash')
    .waitFor({ state: 'detached', timeout: 300000 });
  return page;
}

async function openSidebar(page) {
  await page.getByRole('menuitem', { name: 'GPU' }).click();
  await page
    .getByRole('menuitem', { name: 'Open GPU Session Sidebar' })
    .click();
  const sidebar = page.locator('#jp-GpuSession-sidebar');
  await sidebar.waitFor({ state: 'visible' });
  await page.waitForFunction(
    () =>
      Number(
        document
          .querySelector('#jp-GpuSession-sidebar')
          ?.getAttribute('data-sample-count') ?? 0
      ) >= 2,
    undefined,
    { timeout: 180000 }
  );
}

/** What each sidebar says: where it read the numbers, and the GPU. */
async function sidebarsSay(pages) {
  const said = await Promise.all(
    pages.map(page =>
      page.evaluate(() => {
        const text = selector =>
          document
            .querySelector(`#jp-GpuSession-sidebar ${selector}`)
            ?.textContent?.trim() ?? null;
        return `${text('.jp-GpuSession-transport')}; ${text('.jp-GpuSession-gpuName')}`;
      })
    )
  );
  const counts = {};
  for (const s of said) {
    counts[s] = (counts[s] ?? 0) + 1;
  }
  return counts;
}

async function sampleCounts(pages) {
  return Promise.all(
    pages.map(page =>
      page.evaluate(() =>
        Number(
          document
            .querySelector('#jp-GpuSession-sidebar')
            ?.getAttribute('data-sample-count') ?? 0
        )
      )
    )
  );
}

/** Log in `users`, a few at a time (each page builds all of JupyterLab). */
async function loginAll(browser, users) {
  const pages = [];
  for (let i = 0; i < users.length; i += 3) {
    pages.push(
      ...(await Promise.all(users.slice(i, i + 3).map(u => login(browser, u))))
    );
  }
  return pages;
}

// ---- one N -------------------------------------------------------------

async function runN(n, envExtra) {
  const users = Array.from(
    { length: n },
    (_, i) => `user${String(i + 1).padStart(2, '0')}`
  );
  log(`N=${n}: starting the hub`);
  const hub = await startHub(users, envExtra);
  try {
    started.browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run'
      ]
    });
    const pages = await loginAll(started.browser, users);
    log(
      `N=${n}: ${pages.length} pages; settling 15 s, then the baseline window (${WINDOW_S} s)`
    );
    await sleep(15000);
    const baseline = await measure(hub.pid, WINDOW_S, pages);
    log(
      `N=${n}: baseline ${baseline.cpu_pct_total} % of one CPU; opening the sidebars`
    );
    for (const page of pages) {
      await openSidebar(page);
    }
    await nudge(pages);
    await sleep(10000);
    const monitored = await measure(hub.pid, WINDOW_S, pages, NUDGE_EVERY_S);
    log(`N=${n}: in use ${monitored.cpu_pct_total} % of one CPU`);
    log(
      `N=${n}: no input for ${QUIET_AFTER_S + 5} s, then the left-open window`
    );
    await sleep((QUIET_AFTER_S + 5) * 1000);
    const leftOpen = await measure(hub.pid, WINDOW_S, pages);
    log(`N=${n}: left open ${leftOpen.cpu_pct_total} % of one CPU`);
    const extra = monitored.cpu_pct_total - baseline.cpu_pct_total;
    const extraOpen = leftOpen.cpu_pct_total - baseline.cpu_pct_total;
    return {
      users: n,
      sidebars: await sidebarsSay(pages),
      baseline,
      monitored,
      left_open: leftOpen,
      monitoring_cpu_pct: round(extra),
      monitoring_cpu_pct_per_user: round(extra / n),
      within_budget: extra / n <= BUDGET_PCT_PER_USER,
      left_open_cpu_pct: round(extraOpen),
      left_open_cpu_pct_per_user: round(extraOpen / n),
      left_open_within_budget: extraOpen / n <= BUDGET_PCT_PER_USER
    };
  } finally {
    if (started.browser) {
      await started.browser.close().catch(() => undefined);
      started.browser = null;
    }
    await stopHub();
  }
}

function buildFakeNvml() {
  const lib = path.join(here, '.tmp', 'libfake_nvml_hub.so');
  fs.mkdirSync(path.dirname(lib), { recursive: true });
  const r = spawnSync('cc', [
    '-O2',
    '-shared',
    '-fPIC',
    '-o',
    lib,
    path.join(repo, 'tests', 'fakes', 'fake_nvml.c')
  ]);
  return r.status === 0 ? lib : null;
}

function versions() {
  const py = spawnSync(path.join(VENV_BIN, 'python'), [
    '-c',
    'import jupyterhub, jupyter_server, jupyterlab; print(jupyterhub.__version__, jupyter_server.__version__, jupyterlab.__version__)'
  ]);
  const [hub, server, lab] = py.stdout.toString().trim().split(' ');
  return {
    jupyterhub: hub,
    jupyter_server: server,
    jupyterlab: lab,
    node: process.version
  };
}

/** Mean RSS per user of one kind of process in a window, MiB. */
function meanMiB(window, kind, users) {
  const all = Object.values(window.rss_kib_by_user);
  return (all.reduce((s, u) => s + u[kind], 0) / 1024 / users).toFixed(0);
}

function markdown(result) {
  const lines = [
    `# Many users on one node (bench/hub_users.js, ${result.date})`,
    '',
    `${result.machine.cpus} CPUs, ${result.versions.jupyterhub ? `jupyterhub ${result.versions.jupyterhub}, jupyter_server ${result.versions.jupyter_server}, jupyterlab ${result.versions.jupyterlab}` : ''}; GPU: ${result.gpu}; windows of ${WINDOW_S} s; budget ${BUDGET_PCT_PER_USER} % of one CPU per user.`,
    '',
    '| users | window | baseline CPU % | monitored CPU % | monitoring % | per user % | budget | samples/page/window | server RSS MiB/user | kernels RSS MiB/user | load avg (1 min) |',
    '|---|---|---|---|---|---|---|---|---|---|---|'
  ];
  for (const r of result.runs) {
    const base = kind => meanMiB(r.baseline, kind, r.users);
    const windows = [
      [
        'in use (2 s)',
        r.monitored,
        r.monitoring_cpu_pct,
        r.monitoring_cpu_pct_per_user,
        r.within_budget
      ],
      [
        'left open (10 s)',
        r.left_open,
        r.left_open_cpu_pct,
        r.left_open_cpu_pct_per_user,
        r.left_open_within_budget
      ]
    ];
    for (const [name, w, total, perUser, met] of windows) {
      const rss = kind => meanMiB(w, kind, r.users);
      const samples = w.samples_per_page;
      lines.push(
        `| ${r.users} | ${name} | ${r.baseline.cpu_pct_total} | ${w.cpu_pct_total} | ${total} | ${perUser} | ${met ? 'met' : 'missed'} | ${Math.min(...samples)}-${Math.max(...samples)} | ${base('serverKiB')} -> ${rss('serverKiB')} | ${base('kernelKiB')} -> ${rss('kernelKiB')} | ${r.baseline.loadavg_start[0]} / ${w.loadavg_end[0]} |`
      );
    }
  }
  lines.push('', 'What the sidebars said (transport; GPU): pages', '');
  for (const r of result.runs) {
    const said = Object.entries(r.sidebars ?? {})
      .map(([text, count]) => `${text}: ${count}`)
      .join(', ');
    lines.push(`- N = ${r.users}: ${said}`);
  }
  lines.push(
    '',
    'CPU by process kind, monitored minus baseline (% of one CPU):',
    ''
  );
  lines.push(
    '| users | window | hub | proxy | servers | kernels | other |',
    '|---|---|---|---|---|---|---|'
  );
  for (const r of result.runs) {
    for (const [name, w] of [
      ['in use', r.monitored],
      ['left open', r.left_open]
    ]) {
      const d = k => round(w.cpu_pct[k] - r.baseline.cpu_pct[k]);
      lines.push(
        `| ${r.users} | ${name} | ${d('hub')} | ${d('proxy')} | ${d('server')} | ${d('kernel')} | ${d('other')} |`
      );
    }
  }
  return lines.join('\n') + '\n';
}

async function main() {
  const nvml = buildFakeNvml();
  const envExtra = nvml
    ? { JUPYTERLAB_GPU_SESSION_NVML_LIB: nvml, FAKE_NVML_SCENARIO: 't4' }
    : {};
  const result = {
    date: new Date().toISOString(),
    machine: {
      cpus: os.cpus().length,
      loadavg_start: loadavg(),
      clk_tck: CLK_TCK
    },
    versions: versions(),
    gpu: nvml
      ? 'fake NVML library (one Tesla T4)'
      : 'fake nvidia-smi (no C compiler)',
    window_s: WINDOW_S,
    budget_pct_per_user: BUDGET_PCT_PER_USER,
    runs: []
  };
  for (const n of COUNTS) {
    result.runs.push(await runN(n, envExtra));
  }
  result.machine.loadavg_end = loadavg();
  fs.mkdirSync(OUT_DIR, { recursive: true });
  fs.writeFileSync(
    path.join(OUT_DIR, 'hub_users.json'),
    JSON.stringify(result, null, 2) + '\n'
  );
  const md = markdown(result);
  fs.writeFileSync(path.join(OUT_DIR, 'hub_users.md'), md);
  console.log(md);
}

let stopping = false;
async function cleanup(code) {
  if (stopping) {
    return;
  }
  stopping = true;
  if (started.browser) {
    await started.browser.close().catch(() => undefined);
  }
  await stopHub();
  process.exit(code);
}
process.on('SIGINT', () => void cleanup(130));
process.on('SIGTERM', () => void cleanup(143));

main().then(
  () => cleanup(0),
  error => {
    console.error(error);
    void cleanup(1);
  }
);
