/**
 * The session countdown against a real JupyterLab with the server part on.
 */
import { expect, test } from '@jupyterlab/galata';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  COUNTDOWN_PLUGIN as COUNTDOWN,
  lifetimeEndingIn,
  openSidebar,
  saveSettings,
  SIDEBAR
} from './helpers';

test.describe('Session countdown', () => {
  test.afterEach(async ({ page }) => {
    await saveSettings(page, COUNTDOWN, {});
  });

  test('a 3-minute custom lifetime shows in the sidebar and status bar and warns', async ({
    page
  }) => {
    await saveSettings(page, COUNTDOWN, {
      preset: 'custom',
      lifetimeMinutes: await lifetimeEndingIn(page, 3)
    });
    await page.reload({ waitUntil: 'networkidle' });
    await openSidebar(page);
    const section = page.locator(`${SIDEBAR} .jp-GpuSession-countdown`);
    await expect(section).toContainText('Policy: your own numbers');
    await expect(
      section.getByRole('meter', { name: /^Session ends in \dm/ })
    ).toBeVisible();
    await expect(section).toContainText('From your settings');
    // The server part is on: its limits are known.
    await expect(section.locator('.jp-GpuSession-serverUnknown')).toHaveCount(
      0
    );
    await expect(page.locator('.jp-GpuSession-countdownStatus')).toHaveText(
      /^\dm \d\ds left$/
    );
    const toast = page
      .locator('.Toastify__toast')
      .filter({ hasText: 'The session ends in' });
    await expect(toast).toBeVisible();
    await expect(toast.getByRole('button', { name: 'Snooze' })).toBeVisible();
  });

  test('the checkpoint-train template makes the sidebar follow its checkpoints', async ({
    page
  }) => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'gpu-session-ckpt-'));
    const checkpoint = path.join(folder, 'step-100.pt');
    fs.writeFileSync(checkpoint, 'weights');
    const savedAt = Date.now() / 1000 - 47 * 60;
    fs.utimesSync(checkpoint, savedAt, savedAt);
    await page.notebook.createNew('train.ipynb');
    await page.evaluate(async persistent => {
      await window.jupyterapp.commands.execute('gpu-session:insert-template', {
        id: 'checkpoint-train',
        values: { persistent_dir: persistent }
      });
    }, folder);
    await expect
      .poll(() =>
        page.evaluate(async id => {
          const settings =
            await window.jupyterapp.serviceManager.settings.fetch(id);
          return JSON.stringify(settings.raw);
        }, COUNTDOWN)
      )
      .toContain(`${folder}/*.pt`);
    await openSidebar(page);
    await expect(
      page.locator(`${SIDEBAR} .jp-GpuSession-checkpoint`)
    ).toContainText(`Last checkpoint 47m`);
    await expect(
      page.locator(`${SIDEBAR} .jp-GpuSession-checkpoint`)
    ).toContainText(checkpoint);
    fs.rmSync(folder, { recursive: true, force: true });
  });
});
