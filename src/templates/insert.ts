/**
 * Inserting rendered cells into a notebook as one undo step.
 */
import type { INotebookModel, Notebook } from '@jupyterlab/notebook';
import type * as nbformat from '@jupyterlab/nbformat';
import { IRenderedCell } from './types';

/**
 * Insert `cells` at `index` of the model in one shared-model operation, so
 * one undo removes all of them and nothing else.
 *
 * #### Notes
 * `NotebookActions.insertBelow` inside a transaction edits the wrong cell,
 * so the cells go in through `sharedModel.insertCells`. Capturing is
 * stopped around the insertion so the undo manager does not merge it with
 * an edit made just before.
 */
export function insertRenderedCells(
  model: INotebookModel,
  index: number,
  cells: IRenderedCell[]
): void {
  const shared = model.sharedModel;
  // YNotebook has an undo manager; the ISharedNotebook interface does not say so.
  const undo = (shared as { undoManager?: { stopCapturing?: () => void } })
    .undoManager;
  const at = Math.max(0, Math.min(index, shared.cells.length));
  undo?.stopCapturing?.();
  shared.insertCells(
    at,
    cells.map(cell =>
      cell.cell_type === 'code'
        ? ({
            cell_type: 'code',
            source: cell.source,
            metadata: cell.metadata,
            outputs: [],
            execution_count: null
          } as nbformat.ICodeCell)
        : ({
            cell_type: 'markdown',
            source: cell.source,
            metadata: cell.metadata
          } as nbformat.IMarkdownCell)
    )
  );
  undo?.stopCapturing?.();
}

/**
 * Insert below the active cell (at the end when there is none), then make
 * the first inserted cell active, select all of them and scroll to them.
 * Nothing is executed. Returns the index of the first inserted cell.
 */
export function insertIntoNotebook(
  notebook: Notebook,
  cells: IRenderedCell[]
): number {
  const model = notebook.model;
  if (!model) {
    throw new Error('The notebook has no model');
  }
  const index = notebook.activeCell
    ? notebook.activeCellIndex + 1
    : model.cells.length;
  insertRenderedCells(model, index, cells);
  const select = () => {
    notebook.mode = 'command';
    notebook.activeCellIndex = index;
    notebook.deselectAll();
    for (let i = index; i < index + cells.length; i++) {
      notebook.select(notebook.widgets[i]);
    }
  };
  select();
  // A dialog that just closed gives the focus back to the cell it came
  // from, which collapses the selection: select again once that is done.
  requestAnimationFrame(() => {
    if (!notebook.isDisposed && notebook.activeCellIndex === index) {
      select();
    }
  });
  const first = notebook.widgets[index];
  if (first) {
    void notebook.scrollToCell(first, 'start');
  }
  return index;
}
