/**
 * The GPU sidebar against a real JupyterLab, real kernels and a fake
 * nvidia-smi that replays recorded outputs.
 */
import { expect, test } from '@jupyterlab/galata';
import {
  openSidebar,
  replayNoGpu,
  replayTeslaT4,
  sampleCount,
  SIDEBAR
} from './helpers';

test.describe('GPU sidebar', () => {
  test.afterEach(() => replayNoGpu());

  test('without a GPU it shows host memory and why no GPU is visible', async ({
    page
  }) => {
    replayNoGpu();
    await openSidebar(page);
    const sidebar = page.locator(SIDEBAR);
    await expect(sidebar.locator('.jp-GpuSession-noGpu')).toContainText(
      'No GPU visible: '
    );
    await expect(sidebar.locator('.jp-GpuSession-noGpu')).toContainText(
      'nvidia-smi'
    );
    const ram = sidebar.getByRole('meter', { name: /^RAM/ });
    await expect(ram).toHaveAttribute('aria-valuetext', /GiB \/ .*GiB/);
    await expect(sidebar.locator('.jp-GpuSession-status')).toContainText(
      'Live'
    );
    await expect(sidebar.locator('.jp-GpuSession-kernel')).toContainText(
      'No notebook open.'
    );
    const statusItem = page.locator('.jp-GpuSession-gpuStatus');
    await expect(statusItem).toContainText('RAM');
    await sidebar.screenshot({
      path: test.info().outputPath('sidebar-no-gpu.png')
    });
  });

  test('with a recorded Tesla T4 it shows the GPU and its memory', async ({
    page
  }) => {
    replayTeslaT4();
    await openSidebar(page);
    const card = page.locator(`${SIDEBAR} .jp-GpuSession-gpu`).first();
    await expect(card.locator('.jp-GpuSession-gpuName')).toHaveText('Tesla T4');
    await expect(card.getByRole('meter', { name: 'Memory' })).toHaveAttribute(
      'aria-valuetext',
      /\/ 15\.0 GiB$/
    );
    await expect(page.locator('.jp-GpuSession-gpuStatus')).toContainText(
      /^GPU .*15\.0 GiB/
    );
    await page.locator(SIDEBAR).screenshot({
      path: test.info().outputPath('sidebar-tesla-t4.png')
    });
  });

  test('with no notebook open the server takes the samples itself: no kernel is started', async ({
    page,
    request
  }) => {
    replayTeslaT4();
    await openSidebar(page);
    const sidebar = page.locator(SIDEBAR);
    await expect(sidebar.locator('.jp-GpuSession-gpuName')).toHaveText(
      'Tesla T4'
    );
    await expect(sidebar.locator('.jp-GpuSession-transport')).toHaveText(
      'Read by the Jupyter server (no kernel)'
    );
    const before = await sampleCount(page);
    await expect.poll(() => sampleCount(page)).toBeGreaterThan(before);
    const kernels = await (
      await request.get('api/kernels?no_track_activity=1')
    ).json();
    expect(kernels).toEqual([]);
  });

  test('the status bar item opens the sidebar', async ({ page }) => {
    const item = page.locator('.jp-GpuSession-gpuStatus');
    await page.notebook.createNew('status.ipynb');
    await expect(item).toContainText(/RAM|GPU/);
    await item.click();
    await expect(page.locator(SIDEBAR)).toBeVisible();
  });

  test('samples keep arriving while the notebook kernel is busy', async ({
    page
  }) => {
    await page.notebook.createNew('busy.ipynb');
    await openSidebar(page);
    await expect(
      page.locator(`${SIDEBAR} .jp-GpuSession-kernel dl`)
    ).toBeVisible();
    await page.notebook.setCell(0, 'code', 'import time\ntime.sleep(30)');
    await page.evaluate(() => {
      void window.jupyterapp.commands.execute('notebook:run-cell');
    });
    const prompt = page.locator('.jp-Cell .jp-InputPrompt').first();
    await expect(prompt).toHaveText('[*]:');
    const before = await sampleCount(page);
    await expect
      .poll(() => sampleCount(page), { timeout: 20000 })
      .toBeGreaterThanOrEqual(before + 3);
    // The cell is still running: the samples did not wait for it.
    await expect(prompt).toHaveText('[*]:', { timeout: 1000 });
    await expect(
      page.locator(`${SIDEBAR} .jp-GpuSession-kernel dl`)
    ).toContainText('Memory (RSS)');
  });
});
