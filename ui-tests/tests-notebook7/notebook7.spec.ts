/**
 * Notebook 7: the extension works in its notebook page as in JupyterLab
 * (GPU menu, sidebar with numbers), and none of its plugins fails to
 * activate there, although Notebook 7 has no status bar.
 */
import { expect, test } from '@playwright/test';
import { replayTeslaT4, SIDEBAR } from '../tests/helpers';

test('the GPU menu opens the sidebar with numbers, and every plugin activates', async ({
  page
}) => {
  replayTeslaT4();
  const problems: string[] = [];
  page.on('console', message => {
    const text = message.text();
    if (
      /jupyterlab-gpu-session|gpu-session/i.test(text) &&
      /fail|error/i.test(text)
    ) {
      problems.push(text + ' @@ ' + JSON.stringify(message.location()));
    }
  });
  // Notebook 7.6.5 itself throws "Cannot read properties of undefined
  // (reading 'schema')" while loading settings, with or without this
  // extension: only errors raised in our own code count here.
  page.on('pageerror', error => {
    if (/jupyterlab-gpu-session/.test(String(error.stack))) {
      problems.push(String(error.stack));
    }
  });

  const name = `nb7-${Date.now()}.ipynb`;
  const created = await page.request.put(`api/contents/${name}`, {
    data: {
      type: 'notebook',
      format: 'json',
      content: {
        cells: [],
        metadata: {
          kernelspec: {
            name: 'python3',
            display_name: 'Python 3',
            language: 'python'
          }
        },
        nbformat: 4,
        nbformat_minor: 5
      }
    }
  });
  expect(created.ok()).toBe(true);
  await page.goto(`notebooks/${name}`);
  // The notebook's kernel is up: its indicator leaves "Connecting".
  await expect(page.locator('.jp-NotebookPanel')).toBeVisible();

  await page.getByRole('menuitem', { name: 'GPU' }).click();
  await page
    .getByRole('menuitem', { name: 'Open GPU Session Sidebar' })
    .click();
  const sidebar = page.locator(SIDEBAR);
  await expect(sidebar).toBeVisible();
  await expect(sidebar.locator('.jp-GpuSession-gpuName').first()).toHaveText(
    'Tesla T4'
  );
  await expect(sidebar.locator('.jp-GpuSession-status')).toContainText('Live');
  await expect(sidebar.locator('.jp-GpuSession-kernel')).toContainText(name);
  expect(problems).toEqual([]);
});
