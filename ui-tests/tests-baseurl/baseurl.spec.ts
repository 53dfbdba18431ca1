/**
 * Under a JupyterHub-like base_url (/user/alice/) and without the
 * extension's server part: the monitor kernel is started and used through
 * the prefixed URLs, and the countdown says that the server's limits are
 * unknown instead of guessing them.
 *
 * Plain Playwright rather than galata's page fixture: galata prepares its
 * scratch folder through `/api/contents`, without the base_url.
 */
import { expect, Page, test } from '@playwright/test';
import { replayNoGpu, SIDEBAR } from '../tests/helpers';

/** What the tests use of the page's JupyterLab (exposed for tests). */
interface IAppWindow {
  jupyterapp?: {
    started: Promise<void>;
    commands: { execute(id: string): Promise<unknown> };
  };
}

async function openLab(page: Page, baseURL: string | undefined) {
  await page.goto(`${baseURL}/lab`);
  await page.waitForFunction(() => !!(window as IAppWindow).jupyterapp);
  await page.evaluate(async () => {
    const app = (window as IAppWindow).jupyterapp!;
    await app.started;
    await app.commands.execute('gpu-session:open');
  });
  await page.locator(SIDEBAR).waitFor({ state: 'visible' });
}

test.describe('under base_url /user/alice/ without the server part', () => {
  test.beforeEach(() => replayNoGpu());

  test('the sidebar opens and shows live samples', async ({
    page,
    baseURL
  }) => {
    await openLab(page, baseURL);
    expect(page.url()).toContain('/user/alice/lab');
    await expect(
      page.locator(`${SIDEBAR} .jp-GpuSession-status`)
    ).toContainText('Live');
    const count = () =>
      page.locator(SIDEBAR).getAttribute('data-sample-count').then(Number);
    const before = await count();
    await expect.poll(count).toBeGreaterThan(before);
    await expect(page.locator(`${SIDEBAR} .jp-GpuSession-noGpu`)).toContainText(
      'No GPU visible: '
    );
    // No server part to sample in: the monitor kernel, without a word
    // about the server's refusal.
    await expect(
      page.locator(`${SIDEBAR} .jp-GpuSession-transport`)
    ).toHaveText('Read in a separate monitor kernel');
  });

  test('the countdown says the server limits are unknown', async ({
    page,
    baseURL
  }) => {
    await openLab(page, baseURL);
    await expect(
      page.locator(`${SIDEBAR} .jp-GpuSession-serverUnknown`)
    ).toHaveText(/^Server limits unknown:/);
  });
});
