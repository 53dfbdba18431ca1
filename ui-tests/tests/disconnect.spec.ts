/**
 * The server goes away (laptop lid closed, network lost) and comes back:
 * the sidebar says since when it is disconnected, the countdown keeps
 * counting from its deadline, and monitoring resumes by itself.
 */
import { expect, test } from '@jupyterlab/galata';
import { openSidebar, sampleCount, saveSettings, SIDEBAR } from './helpers';

const STATUS = `${SIDEBAR} .jp-GpuSession-status`;
const COUNTDOWN = 'jupyterlab-gpu-session:countdown';

test.afterEach(async ({ page }) => {
  await page.unrouteAll();
  await page.context().setOffline(false);
  await saveSettings(page, COUNTDOWN, {});
});

test('says since when the server is gone and resumes when it is back', async ({
  page
}) => {
  await saveSettings(page, COUNTDOWN, {
    preset: 'custom',
    lifetimeMinutes: 50
  });
  await page.reload({ waitUntil: 'networkidle' });
  await page.notebook.createNew('away.ipynb');
  await openSidebar(page);
  await expect(page.locator(STATUS)).toContainText('Live');
  const countdown = page.locator('.jp-GpuSession-countdownStatus');
  await expect(countdown).toHaveText(/left$/);

  // The network goes: Chromium's offline mode stalls the open websockets
  // but lets requests to localhost through, so those fail here too.
  await page.context().setOffline(true);
  await page.route('**/api/**', route => route.abort('internetdisconnected'));
  await expect(page.locator(STATUS)).toContainText(/^Disconnected since /, {
    timeout: 30000
  });
  // The countdown is arithmetic on a deadline: it keeps going offline.
  const offlineText = await countdown.textContent();
  await expect(countdown).not.toHaveText(offlineText ?? '', { timeout: 10000 });

  const before = await sampleCount(page);
  await page.unroute('**/api/**');
  await page.context().setOffline(false);
  await expect(page.locator(STATUS)).toContainText('Live', { timeout: 30000 });
  await expect
    .poll(() => sampleCount(page), { timeout: 20000 })
    .toBeGreaterThan(before);
});
