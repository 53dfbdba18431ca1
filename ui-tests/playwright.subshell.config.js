/**
 * The subshell transport in a real JupyterLab with a real ipykernel 7
 * (tests-subshell/): the same server as playwright.config.js on its own
 * port (GALATA_PORT, default 8970).
 */
process.env.GALATA_PORT = process.env.GALATA_PORT || '8970';
const path = require('path');
const base = require('./playwright.config');

module.exports = {
  ...base,
  testDir: path.join(__dirname, 'tests-subshell'),
  // Its own folder: Playwright empties its outputDir at start, and the hub
  // suite runs beside this one (./dev galata).
  outputDir: path.join(__dirname, 'test-results', 'subshell')
};
