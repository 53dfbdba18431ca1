/**
 * The browser tests of tests-notebook7/ against Notebook 7 (`jupyter
 * notebook`), which has no status bar and its own shell. Plain Playwright
 * pages: galata's fixtures drive JupyterLab's shell. Its own port:
 *   GALATA_PORT=8896 npx playwright test -c playwright.notebook7.config.js
 */
const path = require('path');
const main = require('./playwright.config');

const port = process.env.GALATA_PORT || '8899';

module.exports = {
  ...main,
  testDir: path.join(__dirname, 'tests-notebook7'),
  testIgnore: [],
  outputDir: path.join(__dirname, 'test-results', 'notebook7'),
  reporter: [['list']],
  webServer: {
    ...main.webServer,
    command: main.webServer.command.replace('jupyter lab', 'jupyter notebook'),
    url: `http://localhost:${port}/tree`
  }
};
