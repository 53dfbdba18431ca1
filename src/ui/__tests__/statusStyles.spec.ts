import * as fs from 'fs';
import * as path from 'path';
import { addStatusStyles } from '../statusStyles';
import { STATUS_CSS } from '../statusCss';

describe('addStatusStyles', () => {
  it('puts every rule of style/status.css in one <style> element, once', () => {
    addStatusStyles();
    addStatusStyles();
    const styles = document.head.querySelectorAll(
      '#jp-GpuSession-statusStyles'
    );
    expect(styles).toHaveLength(1);
    expect(styles[0].textContent).toBe(STATUS_CSS);
    const file = fs.readFileSync(
      path.join(__dirname, '..', '..', '..', 'style', 'status.css'),
      'utf8'
    );
    const selectors = [...file.matchAll(/^([^\s/*@}][^{}\n]*)\{/gm)].map(m =>
      m[1].trim()
    );
    expect(selectors.length).toBeGreaterThan(2);
    for (const selector of selectors) {
      expect(STATUS_CSS).toContain(`${selector} {`);
    }
    expect(STATUS_CSS).not.toContain('/*');
  });
});
