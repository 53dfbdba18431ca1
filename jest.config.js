/**
 * Jest configuration built on JupyterLab's own (`@jupyterlab/testutils`).
 *
 * The base config lists the ES-module packages that must be transformed; a
 * plain `esModules` override would *replace* that list and break imports of
 * `@jupyterlab/notebook` or `apputils`, so the two lists are merged here.
 */
const jestJupyterLab = require('@jupyterlab/testutils/lib/jest-config');

const extraEsModules = [
  '@jupyterlab/',
  '@jupyter/',
  '@lumino/',
  '@microsoft/',
  'exenv-es6',
  'lib0',
  'y-protocols',
  'y-websocket',
  'yjs'
];

const baseConfig = jestJupyterLab(__dirname);
const baseIgnore = baseConfig.transformIgnorePatterns[0];
const baseList = baseIgnore.match(/\(\?!(.*)\)\.\+$/)[1];

module.exports = {
  ...baseConfig,
  automock: false,
  collectCoverageFrom: [
    'src/**/*.{ts,tsx}',
    '!src/**/*.d.ts',
    '!src/**/.ipynb_checkpoints/*',
    '!src/monitor/probeSource.ts'
  ],
  coverageReporters: ['lcov', 'text-summary'],
  reporters: ['default'],
  testRegex: '/src/.*\\.spec\\.tsx?$',
  modulePathIgnorePatterns: [
    '<rootDir>/.venv/',
    '<rootDir>/ui-tests/',
    '<rootDir>/bench/'
  ],
  transformIgnorePatterns: [
    `/node_modules/(?!${[baseList, ...extraEsModules].join('|')}).+`
  ]
};
