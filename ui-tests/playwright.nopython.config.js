/**
 * The browser tests of tests-nopython/ against a server that has no Python
 * kernelspec at all (only the fake "fakelang" one): the monitor must say so
 * plainly and not keep trying. Its own port, so its own scratch folder:
 *   GALATA_PORT=8874 npx playwright test -c playwright.nopython.config.js
 */
const path = require('path');
const main = require('./playwright.config');

module.exports = {
  ...main,
  testDir: path.join(__dirname, 'tests-nopython'),
  testIgnore: [],
  outputDir: path.join(__dirname, 'test-results', 'nopython'),
  reporter: [['list']],
  webServer: {
    ...main.webServer,
    env: {
      ...main.webServer.env,
      GALATA_NO_PYTHON_KERNEL: '1'
    }
  }
};
