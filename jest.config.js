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
  // The labextension fetches the checkpoint helper from its static files
  // (`new URL(..., import.meta.url)`, which only the bundler resolves);
  // under Jest the same lines come from the generated keeperSource.ts,
  // made from the same checkpoint.py. The fetch itself is exercised by the
  // galata tests that insert checkpoint-train.
  moduleNameMapper: {
    ...baseConfig.moduleNameMapper,
    '/keeperAsset$': '<rootDir>/src/__tests__/keeperFromSource.ts'
  },
  transformIgnorePatterns: [
    `/node_modules/(?!${[baseList, ...extraEsModules].join('|')}).+`
  ]
};
