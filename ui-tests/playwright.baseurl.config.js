/**
 * The browser tests of tests-baseurl/ against a server whose base_url is
 * /user/alice/, as under JupyterHub, and whose server part of the extension
 * is turned off (the front end must say that the server's limits are
 * unknown). Same scratch-folder scheme as the main configuration
 * (.tmp/<port>), so use a port of its own:
 *   GALATA_PORT=8873 npx playwright test -c playwright.baseurl.config.js
 */
const path = require('path');
const main = require('./playwright.config');

const port = process.env.GALATA_PORT || '8898';
const baseUrl = '/user/alice/';

module.exports = {
  ...main,
  testDir: path.join(__dirname, 'tests-baseurl'),
  testIgnore: [],
  outputDir: path.join(__dirname, 'test-results', 'baseurl'),
  reporter: [['list']],
  use: {
    ...main.use,
    baseURL: `http://localhost:${port}${baseUrl.replace(/\/$/, '')}`
  },
  webServer: {
    ...main.webServer,
    url: `http://localhost:${port}${baseUrl}lab`,
    env: {
      ...main.webServer.env,
      GALATA_BASE_URL: baseUrl,
      GALATA_GPU_SESSION_SERVER: 'off'
    }
  }
};
