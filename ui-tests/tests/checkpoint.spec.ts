/**
 * Checkpoint requests against a real JupyterLab and a real kernel running
 * the checkpoint-train template's CheckpointKeeper in a training loop.
 */
import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
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

const CHECKPOINT = 'jupyterlab-gpu-session:checkpoint';

/**
 * Insert the checkpoint-train template for `folder`, define its keeper and
 * start a training loop that calls `maybe_save` every half second.
 */
async function startTraining(
  page: IJupyterLabPageFixture,
  folder: string
): Promise<void> {
  await page.notebook.createNew(`train-${path.basename(folder)}.ipynb`);
  await page.evaluate(async dir => {
    await window.jupyterapp.commands.execute('gpu-session:insert-template', {
      id: 'checkpoint-train',
      values: { checkpoint_dir: dir, persistent_dir: `${dir}-copies` }
    });
  }, folder);
  // The template's last cell defines the keeper (found through the model:
  // a long notebook's cells are not all in the DOM).
  const loop = [
    'import time',
    'with CheckpointKeeper() as keeper:',
    '    for step in range(1200):',
    '        time.sleep(0.5)',
    "        keeper.maybe_save(lambda: {'step': step, 'weights': bytes(4096)}, step)"
  ].join('\n');
  const keeperIndex = () =>
    page.evaluate(() => {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const notebook = (window.jupyterapp.shell.currentWidget as any).content;
      return Array.from({ length: notebook.model.cells.length }, (_, i) =>
        notebook.model.cells.get(i).sharedModel.getSource()
      ).findIndex(source => source.includes('CheckpointKeeper.default_'));
    });
  await expect.poll(keeperIndex).toBeGreaterThan(0);
  const keeper = await keeperIndex();
  // Run the template's keeper cell, then the loop, in the notebook's own
  // kernel (as the notebook would; the cells' selection is not involved).
  await page.evaluate(
    async ([code, index]) => {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const panel = window.jupyterapp.shell.currentWidget as any;
      await panel.sessionContext.ready;
      const kernel = panel.sessionContext.session.kernel;
      const keeperSource = panel.content.model.cells
        .get(index)
        .sharedModel.getSource();
      const reply = await kernel.requestExecute({ code: keeperSource }).done;
      if (reply.content.status !== 'ok') {
        throw new Error(`the keeper cell failed: ${reply.content.evalue}`);
      }
      void kernel.requestExecute({ code }).done;
    },
    [loop, keeper] as [string, number]
  );
  // The loop runs: the notebook's kernel stays busy.
  await expect
    .poll(() =>
      page.evaluate(
        () =>
          // eslint-disable-next-line @typescript-eslint/no-explicit-any
          (window.jupyterapp.shell.currentWidget as any).sessionContext.session
            .kernel.status
      )
    )
    .toBe('busy');
}

async function stopTraining(page: IJupyterLabPageFixture): Promise<void> {
  // Straight to the server: galata's own route for kernel requests expects
  // JSON, and an interrupt answers with an empty body.
  const id = await page.evaluate(
    () =>
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      (window.jupyterapp.shell.currentWidget as any)?.sessionContext?.session
        ?.kernel?.id ?? null
  );
  if (id) {
    await page.request.post(`api/kernels/${id}/interrupt`);
  }
}

test.describe('Checkpoint requests', () => {
  let folder: string;

  test.beforeEach(() => {
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'gpu-session-train-'));
  });

  test.afterEach(async ({ page }) => {
    await stopTraining(page);
    await saveSettings(page, COUNTDOWN, {});
    await saveSettings(page, CHECKPOINT, {});
    fs.rmSync(folder, { recursive: true, force: true });
    fs.rmSync(`${folder}-copies`, { recursive: true, force: true });
  });

  test('with a 3-minute lifetime, a checkpoint is asked for and saved before the end', async ({
    page
  }) => {
    // The trigger comes 2 minutes before the end: a minute of waiting.
    test.setTimeout(240000);
    await saveSettings(page, COUNTDOWN, {
      preset: 'custom',
      lifetimeMinutes: await lifetimeEndingIn(page, 3),
      checkpointGlobs: [`${folder}/*.pt`]
    });
    await saveSettings(page, CHECKPOINT, { leadMinutes: 2 });
    await page.reload({ waitUntil: 'networkidle' });
    await startTraining(page, folder);
    await openSidebar(page);
    const request = page.locator(`${SIDEBAR} .jp-GpuSession-request`);
    // Nobody asked: the trigger did, with the end the save must beat (while
    // it waits for the loop, and in what the save says once it is done).
    await expect(request).toContainText('the session ends at', {
      timeout: 150000
    });
    await expect(request).toHaveAttribute('data-phase', 'saved', {
      timeout: 60000
    });
    // The save keeps the reason it was asked for.
    await expect(request).toContainText(
      /^Checkpoint saved because the session ends at /
    );
    await expect(request).toContainText(folder);
    const saved = fs.readdirSync(folder).filter(name => name.endsWith('.pt'));
    expect(saved.length).toBeGreaterThanOrEqual(1);
  });

  test('Checkpoint now makes the running loop save, with the file and its size', async ({
    page
  }) => {
    await saveSettings(page, COUNTDOWN, {
      checkpointGlobs: [`${folder}/*.pt`]
    });
    await page.reload({ waitUntil: 'networkidle' });
    await startTraining(page, folder);
    await openSidebar(page);
    const section = page.locator(`${SIDEBAR} .jp-GpuSession-checkpoints`);
    await expect(section.locator('.jp-GpuSession-loop')).toContainText(
      'running',
      { timeout: 60000 }
    );
    await section.getByRole('button', { name: 'Checkpoint now' }).click();
    const request = section.locator('.jp-GpuSession-request');
    await expect(request).toHaveAttribute('data-phase', 'saved', {
      timeout: 60000
    });
    const [file] = fs
      .readdirSync(folder)
      .filter(name => name.endsWith('.pt'))
      .map(name => path.join(folder, name));
    expect(file).toBeTruthy();
    await expect(request).toContainText(file);
    // The size the loop wrote, as the sidebar formats it (KiB here).
    await expect(request).toContainText(/\(\d+(\.\d)? KiB in /);
    await expect(request).toContainText('copied and verified');
    const toast = page
      .locator('.Toastify__toast')
      .filter({ hasText: 'Checkpoint saved:' });
    await expect(toast).toBeVisible();
  });
});
