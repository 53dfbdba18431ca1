/**
 * Pins kernelCode.ts's expressions to the strings the Python tests send to a
 * real ipykernel (tests/test_subshell.py builds them with
 * tests/expressions.py and checks them against the same file).
 */
import * as fs from 'fs';
import * as path from 'path';
import { callExpression, loaderExpression } from '../kernelCode';
import { IProbeRequest } from '../protocol';

const fixture = JSON.parse(
  fs.readFileSync(
    path.join(__dirname, '../../../tests/fixtures/frontend-expressions.json'),
    'utf-8'
  )
) as {
  loader: { source: string; expression: string }[];
  call: { request: IProbeRequest; expression: string }[];
};

describe('the expressions the Python tests send', () => {
  it.each(fixture.loader)(
    'loaderExpression matches',
    ({ source, expression }) => {
      expect(loaderExpression(source)).toBe(expression);
    }
  );

  it.each(fixture.call)('callExpression matches', ({ request, expression }) => {
    expect(callExpression(request)).toBe(expression);
  });
});
