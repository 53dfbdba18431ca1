/**
 * keeperAsset.ts under Jest (see jest.config.js): the checkpoint helper's
 * lines from the generated keeperSource.ts, which scripts/embed-keeper.js
 * makes from the same checkpoint.py as the file the labextension ships.
 */
import { KEEPER_SOURCE_LINES } from '../templates/builtin/keeperSource';

/** The helper's lines, as keeperAsset.ts gives them in the page. */
export async function fetchKeeperLines(): Promise<ReadonlyArray<string>> {
  return KEEPER_SOURCE_LINES;
}
