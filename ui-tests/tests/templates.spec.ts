/**
 * Template cells against a real JupyterLab: inserted from the GPU menu,
 * one undo step, and the gpu-check and env-snapshot cells run in a real
 * kernel.
 */
import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';

const TEMPLATES: [string, string, string][] = [
  ['drive-mount', 'Mount Persistent Storage', 'Persistent storage'],
  ['install-deps', 'Install Pinned Dependencies', 'Install pinned'],
  ['checkpoint-train', 'Checkpoint-Safe Training', 'Checkpoint-safe'],
  ['env-snapshot', 'Environment Snapshot', 'Environment snapshot'],
  ['gpu-check', 'GPU Check', 'GPU check']
];

/** The parts of a notebook panel these tests read. */
interface INotebookView {
  content: {
    widgets: unknown[];
    isSelectedOrActive(cell: unknown): boolean;
    model: {
      getMetadata(key: string): { env_snapshot?: unknown } | undefined;
      sharedModel: {
        cells: { getMetadata(key: string): { template?: string } }[];
      };
    };
  };
}

/** The template ids recorded in the current notebook's cells, in order. */
async function cellTemplates(
  page: IJupyterLabPageFixture
): Promise<(string | null)[]> {
  return page.evaluate(() => {
    const app = window.jupyterapp;
    const panel = app.shell.currentWidget as unknown as INotebookView;
    return panel.content.model.sharedModel.cells.map(
      cell => cell.getMetadata('gpu_session')?.template ?? null
    );
  });
}

/** The index of the last cell inserted from template `id`. */
async function lastCellOf(
  page: IJupyterLabPageFixture,
  id: string
): Promise<number> {
  return (await cellTemplates(page)).lastIndexOf(id);
}

test.describe('template cells', () => {
  test('each built-in template inserts from the GPU menu and undoes in one step', async ({
    page
  }) => {
    await page.notebook.createNew('templates.ipynb');
    await page.notebook.setCell(0, 'code', 'existing = 1');
    for (const [id, label, heading] of TEMPLATES) {
      await page.menu.clickMenuItem(`GPU>Insert Template>${label}`);
      const dialog = page.locator('.jp-Dialog');
      await expect(dialog).toContainText(`Insert ${label}`);
      // Enter accepts the defaults.
      await page.keyboard.press('Enter');
      await expect(dialog).toHaveCount(0);
      await expect
        .poll(async () => (await cellTemplates(page)).length)
        .toBeGreaterThan(1);
      const templates = await cellTemplates(page);
      expect(templates[0]).toBeNull();
      expect(templates.slice(1).every(t => t === id)).toBe(true);
      // The first inserted cell is the markdown explanation, and it is active.
      const active = page.locator('.jp-Notebook .jp-Cell.jp-mod-active');
      await expect(active).toHaveClass(/jp-MarkdownCell/);
      await expect(active).toContainText(heading);
      // All inserted cells are selected.
      await expect
        .poll(() =>
          page.evaluate(() => {
            const notebook = (
              window.jupyterapp.shell.currentWidget as unknown as INotebookView
            ).content;
            return notebook.widgets
              .map((cell, i) => (notebook.isSelectedOrActive(cell) ? i : -1))
              .filter(i => i >= 0);
          })
        )
        .toEqual(templates.map((_, i) => i).slice(1));
      // Nothing ran.
      await expect(page.locator('.jp-OutputArea-output')).toHaveCount(0);
      await page.evaluate(() =>
        window.jupyterapp.commands.execute('notebook:undo-cell-action')
      );
      await expect.poll(() => cellTemplates(page)).toEqual([null]);
    }
  });

  test('gpu-check and env-snapshot run and the snapshot is recorded', async ({
    page
  }) => {
    await page.notebook.createNew('run-templates.ipynb');
    await page.evaluate(() =>
      window.jupyterapp.commands.execute('gpu-session:insert-template', {
        id: 'gpu-check',
        values: { matrix_size: '64' }
      })
    );
    const check = await lastCellOf(page, 'gpu-check');
    await page.notebook.runCell(check);
    await expect(page.locator('.jp-Cell').nth(check)).toContainText('GFLOP/s', {
      timeout: 60000
    });
    await expect(page.locator('.jp-Cell').nth(check)).toContainText(
      'torch: not installed'
    );

    await page.evaluate(() =>
      window.jupyterapp.commands.execute('gpu-session:insert-template', {
        id: 'env-snapshot',
        values: { snapshot_dir: "snap's $(dir)" }
      })
    );
    const snapshot = await lastCellOf(page, 'env-snapshot');
    await page.notebook.runCell(snapshot);
    await expect(page.locator('.jp-Cell').nth(snapshot)).toContainText(
      "Environment snapshot saved in snap's $(dir)/",
      { timeout: 60000 }
    );
    await expect
      .poll(() =>
        page.evaluate(() => {
          const panel = window.jupyterapp.shell
            .currentWidget as unknown as INotebookView;
          return (
            panel.content.model.getMetadata('gpu_session')?.env_snapshot ?? null
          );
        })
      )
      .toMatchObject({ path: expect.stringMatching(/^snap's \$\(dir\)\//) });
  });

  test('the sidebar has a button per template', async ({ page }) => {
    await page.notebook.createNew('sidebar-templates.ipynb');
    await page.menu.clickMenuItem('GPU>Open GPU Session Sidebar');
    const section = page.locator(
      '#jp-GpuSession-sidebar .jp-GpuSession-templates'
    );
    for (const [, label] of TEMPLATES) {
      await expect(section.getByRole('button', { name: label })).toBeVisible();
    }
    await section.getByRole('button', { name: 'GPU Check' }).click();
    await expect(page.locator('.jp-Dialog')).toContainText('Insert GPU Check');
    await page
      .locator('.jp-Dialog')
      .getByRole('button', { name: 'Insert' })
      .click();
    await expect
      .poll(() => cellTemplates(page))
      .toEqual([null, 'gpu-check', 'gpu-check']);
  });
});
