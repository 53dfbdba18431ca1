/**
 * Remote kernels: JupyterLab reaches its kernels through
 * jupyter-kernel-gateway (--gateway-url). The fake nvidia-smi is on the
 * gateway's PATH only, so a Tesla T4 in the sidebar was read by a kernel
 * that runs in the gateway. Each project runs the same test against a
 * gateway that lists kernels and one that forbids listing them.
 */
import { expect, test } from '@jupyterlab/galata';
import * as path from 'path';
import {
  GPU_NAME,
  KERNEL_PID as PID,
  openSidebar,
  replayTeslaT4,
  sampleCount,
  SIDEBAR
} from '../tests/helpers';

const FAKES = path.resolve(__dirname, '..', '..', 'tests', 'fakes');
const REMOTE_NOTE = `${SIDEBAR} .jp-GpuSession-kernelsRemote`;
const RSS = `${SIDEBAR} .jp-GpuSession-kernel dt:text-is("Memory (RSS)") + dd`;

test.describe('kernels behind a kernel gateway', () => {
  test.beforeEach(() => replayTeslaT4());

  test("the sidebar shows the gateway's GPU and the notebook kernel's numbers", async ({
    page,
    request
  }) => {
    // The server part says that kernels are remote, and never where.
    const limits = await (await request.get('gpu-session/limits')).json();
    expect(limits.kernels_remote).toEqual(
      expect.objectContaining({ gateway: true })
    );
    expect(JSON.stringify(limits)).not.toContain('127.0.0.1');

    await openSidebar(page);
    await page.notebook.createNew('remote.ipynb');
    await page.notebook.setCell(
      0,
      'code',
      "import os, shutil; print(shutil.which('nvidia-smi'), os.getpid())"
    );
    await page.notebook.runCell(0);
    const out = ((await page.notebook.getCellTextOutput(0)) ?? []).join('');
    // The kernel runs in the gateway: it finds the fake, JupyterLab does not.
    const [where, pid] = out.trim().split(' ');
    expect(where).toBe(path.join(FAKES, 'nvidia-smi'));

    // Read in the notebook's own kernel, in the gateway.
    await expect(page.locator(SIDEBAR)).toContainText(
      "Read in this notebook's kernel (subshell)"
    );
    await expect(page.locator(GPU_NAME).first()).toContainText('Tesla T4');
    await expect(page.locator(PID)).toHaveText(pid);
    await expect(page.locator(RSS)).toContainText('MiB');
    await expect(page.locator(REMOTE_NOTE)).toContainText(
      "Kernels run on a kernel gateway: the server limits here are this Jupyter server's"
    );
    const start = await sampleCount(page);
    await expect.poll(() => sampleCount(page)).toBeGreaterThan(start + 1);
    await expect(page.locator(SIDEBAR)).not.toContainText(
      'Monitor unavailable'
    );
  });
});
