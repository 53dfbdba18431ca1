/**
 * Puts the status bar items' styles in the page, at JupyterLab's start.
 * A <style> element of our own, as style-loader would add for a CSS
 * module, without its runtime in the start chunk (see
 * scripts/embed-styles.js).
 */
import { STATUS_CSS } from './statusCss';

/** The id of the element, so that the styles are added once. */
const STYLE_ID = 'jp-GpuSession-statusStyles';

/** Add the status bar items' styles to `document.head`, once. */
export function addStatusStyles(doc: Document = document): void {
  if (doc.getElementById(STYLE_ID)) {
    return;
  }
  const style = doc.createElement('style');
  style.id = STYLE_ID;
  style.textContent = STATUS_CSS;
  doc.head.appendChild(style);
}
