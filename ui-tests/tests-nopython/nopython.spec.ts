/**
 * A server with no Python kernelspec: the probe has nowhere to run. The
 * sidebar says why in plain words, and the page does not keep asking the
 * server to start kernels.
 */
import { expect, galata, test } from '@jupyterlab/galata';
import { openSidebar, SIDEBAR } from '../tests/helpers';

// The separate monitor kernel's path: the fake language runs ipykernel
// underneath, so the subshell path would read it (tests-subshell/).
test.use({
  mockSettings: {
    ...galata.DEFAULT_SETTINGS,
    'jupyterlab-gpu-session:monitor': { transport: 'monitor-kernel' }
  }
});

test('says the server has no Python kernel, and starts none', async ({
  page
}) => {
  const kernelStarts: string[] = [];
  page.on('request', request => {
    if (
      request.method() === 'POST' &&
      /\/api\/kernels(\?|$)/.test(request.url())
    ) {
      kernelStarts.push(request.url());
    }
  });
  await page.notebook.createNew('other.ipynb', { kernel: 'fakelang' });
  await openSidebar(page);
  const status = page.locator(`${SIDEBAR} .jp-GpuSession-status`);
  await expect(status).toContainText('Monitor unavailable');
  await expect(status).toContainText('no Python kernel');
  // Several poll intervals later: still the same message, and no attempt
  // to start a monitor kernel (no retry storm).
  await page.waitForTimeout(8000);
  await expect(status).toContainText('no Python kernel');
  expect(kernelStarts).toEqual([]);
  const kernels = await page.request.get('api/kernels');
  const names = ((await kernels.json()) as { name: string }[]).map(k => k.name);
  expect(names).toEqual(['fakelang']);
});
