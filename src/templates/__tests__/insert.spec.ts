import { NotebookModel } from '@jupyterlab/notebook';
import { insertRenderedCells } from '../insert';
import { IRenderedCell } from '../types';

function cell(source: string, type: 'code' | 'markdown'): IRenderedCell {
  return {
    cell_type: type,
    source,
    metadata: { gpu_session: { template: 't', version: 2 } }
  };
}

const cells = [cell('# title', 'markdown'), cell('a = 1', 'code')];

function model(sources: string[]): NotebookModel {
  const m = new NotebookModel();
  m.sharedModel.insertCells(
    0,
    sources.map(source => ({ cell_type: 'code', source }))
  );
  m.sharedModel.clearUndoHistory();
  return m;
}

describe('insertRenderedCells', () => {
  it('inserts all cells at the index with their metadata', () => {
    const m = model(['x', 'y']);
    insertRenderedCells(m, 1, cells);
    const json = m.sharedModel.cells.map(c => c.toJSON());
    expect(json.map(c => c.source)).toEqual(['x', '# title', 'a = 1', 'y']);
    expect(json[1].cell_type).toBe('markdown');
    expect(json[2].cell_type).toBe('code');
    expect(json[2].execution_count).toBeNull();
    expect(json[2].outputs).toEqual([]);
    expect(json[1].metadata.gpu_session).toEqual({
      template: 't',
      version: 2
    });
  });

  it('is undone in one step, leaving earlier edits alone', () => {
    const m = model(['x']);
    m.sharedModel.insertCell(1, { cell_type: 'code', source: 'typed' });
    insertRenderedCells(m, 2, cells);
    expect(m.sharedModel.cells).toHaveLength(4);
    m.sharedModel.undo();
    expect(m.sharedModel.cells.map(c => c.getSource())).toEqual(['x', 'typed']);
    m.sharedModel.redo();
    expect(m.sharedModel.cells).toHaveLength(4);
  });

  it('clamps the index to the end', () => {
    const m = model(['x']);
    insertRenderedCells(m, 99, cells);
    expect(m.sharedModel.cells.map(c => c.getSource())).toEqual([
      'x',
      '# title',
      'a = 1'
    ]);
  });
});
