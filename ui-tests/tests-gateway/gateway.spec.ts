/**
 * Remote kernels: JupyterLab reaches its kernels through
 * jupyter-kernel-gateway (--gateway-url). The fake nvidia-smi is on the
 * gateway's PATH only, so a Tesla T4 in the sidebar was read by a kernel
 * that runs in the gateway. Each project runs the same test against a
 * gateway that lists kernels and one that forbids listing them.
 */
import { expect, galata, test } from '@jupyterlab/galata';
import { APIRequestContext } from '@playwright/test';
import * as fs from 'fs';
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
const TMP = process.env.GALATA_TMP ?? '';

/** How many kernels the gateway on `port` has started so far (its log). */
function kernelsStarted(port: number): number {
  const log = fs.readFileSync(path.join(TMP, `gateway-${port}.log`), 'utf-8');
  return log.split('Kernel started:').length - 1;
}

/**
 * Poll the kernel lists at `urls` until `done()`: every id seen, and the
 * largest number listed at once.
 */
async function watchKernels(
  request: APIRequestContext,
  urls: string[],
  done: () => boolean
): Promise<{ ids: Set<string>; most: number }> {
  const ids = new Set<string>();
  let most = 0;
  while (!done()) {
    for (const url of urls) {
      const listed: { id: string }[] = await (await request.get(url)).json();
      listed.forEach(kernel => ids.add(kernel.id));
      most = Math.max(most, listed.length);
    }
    await new Promise(resolve => setTimeout(resolve, 250));
  }
  return { ids, most };
}

test.describe('kernels behind a kernel gateway', () => {
  test.beforeEach(() => replayTeslaT4());

  test("the sidebar shows the gateway's GPU and the notebook kernel's numbers, and no second kernel starts", async ({
    page,
    request
  }, testInfo) => {
    const labPort = Number(new URL(testInfo.project.use.baseURL!).port);
    const gatewayPort = labPort + 1;
    const listing = testInfo.project.name === 'listing-allowed';
    const startedBefore = kernelsStarted(gatewayPort);
    // Where the gateway lists kernels, both lists are watched through the
    // notebook's first 30 s (its kernel starts and answers kernel info in
    // the first few): the notebook's kernel is the only one, even while it
    // starts and has not said whether it has subshells.
    let opened = 0;
    const watching = listing
      ? watchKernels(
          request,
          [
            'api/kernels?no_track_activity=1',
            `http://127.0.0.1:${gatewayPort}/api/kernels`
          ],
          () => opened > 0 && Date.now() - opened > 30_000
        )
      : null;

    // The server part says that kernels are remote, and never where.
    const limits = await (await request.get('gpu-session/limits')).json();
    expect(limits.kernels_remote).toEqual(
      expect.objectContaining({ gateway: true })
    );
    expect(JSON.stringify(limits)).not.toContain('127.0.0.1');

    // The notebook first: an open sidebar with no notebook starts a monitor
    // kernel by design.
    opened = Date.now();
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
    await openSidebar(page);
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

    if (watching) {
      const { ids, most } = await watching;
      expect(most).toBe(1);
      expect(ids.size).toBe(1);
    }
    // The gateway started the notebook's kernel and nothing else.
    expect(kernelsStarted(gatewayPort) - startedBefore).toBe(1);
  });

  test.describe('with the monitor kernel forced', () => {
    test.use({
      mockSettings: {
        ...galata.DEFAULT_SETTINGS,
        'jupyterlab-gpu-session:monitor': { transport: 'monitor-kernel' }
      }
    });

    test("a separate monitor kernel in the gateway reads the gateway's GPU", async ({
      page
    }) => {
      await page.notebook.createNew('forced.ipynb');
      await openSidebar(page);
      await expect(page.locator(SIDEBAR)).toContainText(
        'Read in a separate monitor kernel'
      );
      await expect(page.locator(GPU_NAME).first()).toContainText('Tesla T4');
      const start = await sampleCount(page);
      await expect.poll(() => sampleCount(page)).toBeGreaterThan(start);
      await expect(page.locator(SIDEBAR)).not.toContainText('Stale');
    });
  });
});
