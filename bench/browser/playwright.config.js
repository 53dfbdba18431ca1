/**
 * Playwright configuration of the browser benchmarks (bench/browser).
 *
 * Modules come from ../../ui-tests/node_modules (the browser tests' install),
 * so run it with that Playwright:
 *   ui-tests/node_modules/.bin/playwright test -c bench/browser/playwright.config.js
 * bench/run does that. The Jupyter server reuses the browser tests' server
 * configuration (through jupyter_server_bench_config.py) on its own port
 * (GALATA_PORT, default 8898; the tests use 8899) and its own root directory
 * under bench/.tmp. BENCH_SERVER_NODELAY=0 turns off the server part's
 * TCP_NODELAY on kernel websockets (jupyterlab_gpu_session/nodelay.py), for
 * the comparison with a stock jupyter_server. BENCH_JUPYTER_PATH, when set, goes first on
 * JUPYTER_PATH, so that the production build made by bench/build_prod.sh is
 * the labextension JupyterLab serves.
 */
const path = require('path');
const fs = require('fs');

const repo = path.resolve(__dirname, '..', '..');
const uiTests = path.join(repo, 'ui-tests');
const uiModules = path.join(uiTests, 'node_modules');
const need = name => require(require.resolve(name, { paths: [uiModules] }));
const baseConfig = need('@jupyterlab/galata/lib/playwright-config');

const port = process.env.GALATA_PORT || '8898';
const tmp = path.resolve(
  process.env.BENCH_TMP || path.join(repo, 'bench', '.tmp')
);
fs.mkdirSync(tmp, { recursive: true });
const executablePath =
  process.env.PLAYWRIGHT_CHROMIUM_EXECUTABLE_PATH ||
  (fs.existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);
const fixtures = path.join(repo, 'tests', 'fixtures', 'nvidia-smi');
const fakesDir = path.join(repo, 'tests', 'fakes');

// A CPU-only host: no nvidia-smi on the server's (and so the monitor
// kernel's) PATH. The test that needs GPUs names the fake by its full path
// in the settings; the recordings it replays are set here.
const PATH = (process.env.PATH || '')
  .split(path.delimiter)
  .filter(d => d && path.resolve(d) !== fakesDir)
  .filter(d => !fs.existsSync(path.join(d, 'nvidia-smi')))
  .join(path.delimiter);
const jupyterPath = [process.env.BENCH_JUPYTER_PATH, process.env.JUPYTER_PATH]
  .filter(Boolean)
  .join(path.delimiter);

module.exports = {
  ...baseConfig,
  testDir: __dirname,
  testMatch: /.*\.bench\.js$/,
  outputDir: path.join(tmp, 'test-results'),
  reporter: [['list']],
  retries: 0,
  workers: 1,
  fullyParallel: false,
  timeout: 300000,
  expect: { timeout: 60000 },
  use: {
    ...baseConfig.use,
    baseURL: `http://localhost:${port}`,
    video: 'off',
    trace: 'off',
    launchOptions: {
      executablePath,
      args: [
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run'
      ]
    }
  },
  webServer: {
    command: `jupyter lab --config ${path.join(__dirname, 'jupyter_server_bench_config.py')} > ${path.join(tmp, process.env.BENCH_SERVER_NODELAY === '1' ? 'server-nodelay.log' : 'server.log')} 2>&1`,
    cwd: tmp,
    url: `http://localhost:${port}/lab`,
    timeout: 120000,
    reuseExistingServer: false,
    env: {
      ...process.env,
      PATH,
      TMPDIR: tmp,
      GALATA_PORT: port,
      // the browser tests' base_url variant is not benchmarked
      GALATA_BASE_URL: '',
      JUPYTERLAB_GALATA_ROOT_DIR: path.join(tmp, 'root'),
      ...(jupyterPath ? { JUPYTER_PATH: jupyterPath } : {}),
      FAKE_NVIDIA_SMI_REPLAY: path.join(fixtures, 'two-gpu-query-gpu.csv'),
      FAKE_NVIDIA_SMI_APPS: path.join(
        fixtures,
        'two-gpu-query-compute-apps.csv'
      )
    }
  }
};
