/**
 * Warnings against a real JupyterLab, with a fake nvidia-smi replaying a
 * recorded idle Tesla T4 (0 % utilization, 1032 MiB of 15360 MiB: 6.7 %).
 */
import { expect, test } from '@jupyterlab/galata';
import {
  openSidebar,
  replayNoGpu,
  replayTeslaT4,
  saveSettings,
  SIDEBAR
} from './helpers';

const WARNINGS = 'jupyterlab-gpu-session:warnings';

test.describe('Warnings', () => {
  test.afterEach(async ({ page }) => {
    replayNoGpu();
    await saveSettings(page, WARNINGS, {});
  });

  test('an idle GPU is warned about in the sidebar, a notification and the status bar; its snooze holds across a reload', async ({
    page
  }) => {
    replayTeslaT4();
    // 6 s instead of 15 min; the T4 recording holds 6.7 % of its memory.
    await saveSettings(page, WARNINGS, {
      gpuIdle: { minutes: 0.1, memoryPercent: 10 }
    });
    await page.reload({ waitUntil: 'networkidle' });
    await openSidebar(page);

    const item = page.locator(
      `${SIDEBAR} .jp-GpuSession-warning[data-rule="gpu-idle"]`
    );
    await expect(item).toContainText(
      'GPU attached but not used: GPU 0 (Tesla T4) idle'
    );
    await expect(item).toContainText(
      'utilization under 5% and memory under 10%'
    );
    await expect(
      item.getByRole('button', { name: 'Insert GPU check' })
    ).toBeVisible();
    const toast = page
      .locator('.Toastify__toast')
      .filter({ hasText: 'GPU attached but not used' });
    await expect(toast).toBeVisible();
    const status = page.locator('.jp-GpuSession-gpuStatus');
    await expect(status).toHaveAttribute('data-warnings', '1');

    await toast.getByRole('button', { name: 'Snooze' }).click();
    await expect(item).toContainText('Snoozed until');
    await expect(toast).toHaveCount(0);
    await expect(status).toHaveAttribute('data-warnings', '0');

    await page.reload({ waitUntil: 'networkidle' });
    await openSidebar(page);
    await expect(item).toContainText('Snoozed until');
    await expect(item).toContainText('GPU attached but not used');
    await expect(toast).toHaveCount(0);
    await expect(status).toHaveAttribute('data-warnings', '0');

    // Shown again on request: the notification comes back.
    await item.getByRole('button', { name: 'Show again' }).click();
    await expect(toast).toBeVisible();
  });
});
