/**
 * Playwright configuration for the browser tests, on top of galata's.
 *
 * No browser can be downloaded on our machines, so Debian's chromium is used
 * unless PLAYWRIGHT_CHROMIUM_EXECUTABLE_PATH names another one. The Jupyter
 * server gets a fake nvidia-smi on its PATH; the tests choose what it replays
 * by pointing the symlinks in .tmp/ at recorded outputs.
 */
const path = require('path');
const fs = require('fs');
const baseConfig = require('@jupyterlab/galata/lib/playwright-config');

const port = process.env.GALATA_PORT || '8899';
// One scratch folder per port, so runs on different ports never share the
// fake nvidia-smi's replay links or the server's root folder. The tests read
// it from GALATA_TMP (the config is loaded in every worker too).
const tmp = path.join(__dirname, '.tmp', port);
fs.mkdirSync(tmp, { recursive: true });
process.env.GALATA_TMP = tmp;
const fakes = path.resolve(__dirname, '..', 'tests', 'fakes');
// Extra kernelspecs for the tests (a kernel whose language is not Python).
const jupyterPath = [path.join(fakes, 'jupyter'), process.env.JUPYTER_PATH]
  .filter(Boolean)
  .join(path.delimiter);
const executablePath =
  process.env.PLAYWRIGHT_CHROMIUM_EXECUTABLE_PATH ||
  (fs.existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);

module.exports = {
  ...baseConfig,
  reporter: [['list'], ['html', { open: 'never' }]],
  // tests-baseurl/ runs from playwright.baseurl.config.js (another server).
  testDir: path.join(__dirname, 'tests'),
  retries: 0,
  workers: 1,
  timeout: 120000,
  expect: { timeout: 30000 },
  use: {
    ...baseConfig.use,
    baseURL: `http://localhost:${port}`,
    video: 'off',
    trace: 'retain-on-failure',
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
    command: `jupyter lab --config jupyter_server_test_config.py > ${path.join(tmp, 'server.log')} 2>&1`,
    url: `http://localhost:${port}/lab`,
    timeout: 120000,
    reuseExistingServer: false,
    env: {
      ...process.env,
      TMPDIR: tmp,
      JUPYTERLAB_GALATA_ROOT_DIR: path.join(tmp, 'root'),
      GALATA_PORT: port,
      PATH: `${fakes}${path.delimiter}${process.env.PATH}`,
      JUPYTER_PATH: jupyterPath,
      FAKE_NVIDIA_SMI_REPLAY: path.join(tmp, 'nvidia-smi-replay'),
      FAKE_NVIDIA_SMI_APPS: path.join(tmp, 'nvidia-smi-replay-apps')
    }
  }
};
