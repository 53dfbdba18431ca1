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

function servers(labPort, listKernels) {
  const gatewayPort = labPort + 1;
  const gatewayRoot = path.join(tmp, `gateway-${gatewayPort}`);
  fs.mkdirSync(gatewayRoot, { recursive: true });
  const gateway = {
    command:
      `jupyter kernelgateway --KernelGatewayApp.ip=127.0.0.1 --KernelGatewayApp.port=${gatewayPort}` +
      ` --JupyterWebsocketPersonality.list_kernels=${listKernels ? 'True' : 'False'}` +
      ` '--MappingKernelManager.untracked_message_types=${JSON.stringify(untracked)}'` +
      ` > ${path.join(tmp, `gateway-${gatewayPort}.log`)} 2>&1`,
    url: `http://127.0.0.1:${gatewayPort}/api/kernelspecs`,
    cwd: gatewayRoot,
    timeout: 120000,
    reuseExistingServer: false,
    env: {
      ...process.env,
      TMPDIR: tmp,
      PATH: `${fakes}${path.delimiter}${process.env.PATH}`,
      // A kernel of jupyter-kernel-gateway inherits only PATH and the
      // variables named here (KernelGatewayApp.env_process_whitelist), not
      // the gateway's whole environment: without these the fake finds no
      // recording and answers as a missing nvidia-smi.
      KG_ENV_PROCESS_WHITELIST: 'FAKE_NVIDIA_SMI_REPLAY,FAKE_NVIDIA_SMI_APPS',
      FAKE_NVIDIA_SMI_REPLAY: path.join(tmp, 'nvidia-smi-replay'),
      FAKE_NVIDIA_SMI_APPS: path.join(tmp, 'nvidia-smi-replay-apps')
    }
  };
  const lab = {
    ...base.webServer,
    command:
      `jupyter lab --config jupyter_server_test_config.py --gateway-url=http://127.0.0.1:${gatewayPort}` +
      ` > ${path.join(tmp, `server-${labPort}.log`)} 2>&1`,
    url: `http://localhost:${labPort}/lab`,
    env: {
      ...base.webServer.env,
      GALATA_PORT: String(labPort),
      JUPYTERLAB_GALATA_ROOT_DIR: path.join(tmp, `root-${labPort}`),
      PATH: labPath
    }
  };
  delete lab.env.FAKE_NVIDIA_SMI_REPLAY;
  delete lab.env.FAKE_NVIDIA_SMI_APPS;
  return [gateway, lab];
}

module.exports = {
  ...base,
  testDir: path.join(__dirname, 'tests-gateway'),
  webServer: [...servers(port, true), ...servers(port + 2, false)],
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
