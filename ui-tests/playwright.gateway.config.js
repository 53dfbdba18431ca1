/**
 * Remote kernels (tests-gateway/): JupyterLab started with --gateway-url,
 * its kernels run in jupyter-kernel-gateway on loopback. Two pairs of
 * servers, one per project: the gateway lists kernels (port P+1, JupyterLab
 * on P = GALATA_PORT, default 8990) or forbids listing them, its default
 * (gateway P+3, JupyterLab P+2).
 *
 * The fake nvidia-smi is on the gateway's PATH only: the numbers the
 * sidebar shows can only come from a kernel that runs in the gateway.
 */
process.env.GALATA_PORT = process.env.GALATA_PORT || '8990';
const path = require('path');
const fs = require('fs');
const base = require('./playwright.config');

const port = Number(process.env.GALATA_PORT);
const tmp = process.env.GALATA_TMP;
const fakes = path.resolve(__dirname, '..', 'tests', 'fakes');

// JupyterLab's own PATH without any folder that holds an nvidia-smi.
const labPath = (process.env.PATH || '')
  .split(path.delimiter)
  .filter(dir => dir && !fs.existsSync(path.join(dir, 'nvidia-smi')))
  .join(path.delimiter);

// What docs/lifecycle.md asks of a gateway: our samples' busy/idle must not
// be its kernels' activity.
const untracked = [
  'jupyterlab_gpu_session_sample_request',
  'create_subshell_request',
  'delete_subshell_request',
  'list_subshell_request'
];

/** A word for sh, quoted. */
const q = word => `'${String(word).replace(/'/g, "'\\''")}'`;

/** `NAME=value` words for env(1). */
const assign = vars =>
  Object.entries(vars)
    .map(([name, value]) => q(`${name}=${value}`))
    .join(' ');

/**
 * One gateway and its JupyterLab, started side by side in the background of
 * one shell (Playwright starts its web servers one after the other; four in
 * a row cost about 30 s on a loaded machine).
 */
function pair(labPort, listKernels) {
  const gatewayPort = labPort + 1;
  const gatewayRoot = path.join(tmp, `gateway-${gatewayPort}`);
  fs.mkdirSync(gatewayRoot, { recursive: true });
  const gatewayEnv = assign({
    PATH: `${fakes}${path.delimiter}${process.env.PATH}`,
    // A kernel of jupyter-kernel-gateway inherits only PATH and the
    // variables named here (KernelGatewayApp.env_process_whitelist), not
    // the gateway's whole environment: without these the fake finds no
    // recording and answers as a missing nvidia-smi.
    KG_ENV_PROCESS_WHITELIST: 'FAKE_NVIDIA_SMI_REPLAY,FAKE_NVIDIA_SMI_APPS',
    FAKE_NVIDIA_SMI_REPLAY: path.join(tmp, 'nvidia-smi-replay'),
    FAKE_NVIDIA_SMI_APPS: path.join(tmp, 'nvidia-smi-replay-apps')
  });
  const gateway =
    `(cd ${q(gatewayRoot)} && exec env -u JUPYTER_PATH ${gatewayEnv} jupyter kernelgateway` +
    ` --KernelGatewayApp.ip=127.0.0.1 --KernelGatewayApp.port=${gatewayPort}` +
    ` --JupyterWebsocketPersonality.list_kernels=${listKernels ? 'True' : 'False'}` +
    ` ${q(`--MappingKernelManager.untracked_message_types=${JSON.stringify(untracked)}`)})` +
    ` > ${q(path.join(tmp, `gateway-${gatewayPort}.log`))} 2>&1 &`;
  const labEnv = assign({
    GALATA_PORT: labPort,
    JUPYTERLAB_GALATA_ROOT_DIR: path.join(tmp, `root-${labPort}`),
    PATH: labPath
  });
  const lab =
    `env ${labEnv} jupyter lab --config jupyter_server_test_config.py` +
    ` --gateway-url=http://127.0.0.1:${gatewayPort}` +
    ` > ${q(path.join(tmp, `server-${labPort}.log`))} 2>&1 &`;
  return `${gateway} ${lab}`;
}

const labEnv = { ...base.webServer.env };
delete labEnv.FAKE_NVIDIA_SMI_REPLAY;
delete labEnv.FAKE_NVIDIA_SMI_APPS;

module.exports = {
  ...base,
  testDir: path.join(__dirname, 'tests-gateway'),
  // Its own folder: Playwright empties its outputDir at start, and the hub
  // suite runs beside this one (./dev galata).
  outputDir: path.join(__dirname, 'test-results', 'gateway'),
  webServer: [
    {
      ...base.webServer,
      // All four servers at once; the shell stays, so Playwright's kill of
      // its process group at the end stops them all.
      command: `${pair(port, true)} ${pair(port + 2, false)} wait`,
      url: `http://localhost:${port}/lab`,
      env: labEnv
    },
    // Only wait for the others (started above) to answer.
    ...[
      `http://127.0.0.1:${port + 1}/api/kernelspecs`,
      `http://127.0.0.1:${port + 3}/api/kernelspecs`,
      `http://localhost:${port + 2}/lab`
    ].map(url => ({
      command: 'while :; do sleep 1; done',
      url,
      timeout: 120000,
      reuseExistingServer: true
    }))
  ],
  projects: [
    {
      name: 'listing-allowed',
      use: { baseURL: `http://localhost:${port}` }
    },
    {
      name: 'listing-forbidden',
      use: { baseURL: `http://localhost:${port + 2}` }
    }
  ]
};
