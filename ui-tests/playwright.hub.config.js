/**
 * The browser tests of tests-hub/ against a real JupyterHub (hub/
 * jupyterhub_config.py): configurable-http-proxy, the dummy authenticator,
 * single-user servers of the worktree's .venv and jupyterhub-idle-culler.
 * Ports GALATA_HUB_PORT (8920) to GALATA_HUB_PORT + GALATA_HUB_PORT_COUNT - 1
 * (20 by default; seven users need 10):
 *   npx playwright test -c playwright.hub.config.js
 * About 6 minutes on 2 busy cores: seven JupyterLab logins, then the culler
 * scenarios (about 3.5 minutes, all users at once).
 * Plain Playwright, not galata's fixtures: the page is the hub's, and JupyterLab
 * only comes after the hub's login page.
 */
const path = require('path');
const fs = require('fs');
const main = require('./playwright.config');

const port = Number(process.env.GALATA_HUB_PORT || '8920');
const tmp = path.join(__dirname, '.tmp', `hub-${port}`);
// Fresh for each run, but only in the main process: the config is loaded in
// every worker too, while the hub already runs.
if (!process.env.TEST_WORKER_INDEX) {
  fs.rmSync(tmp, { recursive: true, force: true });
}
fs.mkdirSync(tmp, { recursive: true });
process.env.GALATA_HUB_TMP = tmp;
const venvBin = path.resolve(__dirname, '..', '.venv', 'bin');

module.exports = {
  testDir: path.join(__dirname, 'tests-hub'),
  outputDir: path.join(__dirname, 'test-results', 'hub'),
  reporter: [['list']],
  retries: 0,
  workers: 1,
  // The culler scenarios wait for real culls (about 3.5 minutes).
  timeout: 420000,
  expect: { timeout: 60000 },
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    video: 'off',
    trace: 'retain-on-failure',
    launchOptions: main.use.launchOptions
  },
  webServer: {
    command: `exec jupyterhub -f ${path.join(__dirname, 'hub', 'jupyterhub_config.py')} > ${path.join(tmp, 'hub.log')} 2>&1`,
    cwd: tmp,
    url: `http://127.0.0.1:${port}/hub/health`,
    timeout: 120000,
    reuseExistingServer: false,
    // Let the hub stop the single-user servers, the proxy and the culler
    // (a killed hub leaves them running).
    gracefulShutdown: { signal: 'SIGTERM', timeout: 30000 },
    env: {
      ...process.env,
      PATH: `${venvBin}${path.delimiter}${process.env.PATH}`,
      GALATA_HUB_PORT: String(port),
      GALATA_HUB_TMP: tmp
    }
  }
};
