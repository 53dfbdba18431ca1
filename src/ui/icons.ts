/**
 * The extension's icon: a GPU board, drawn in the theme's icon colour.
 */
import { LabIcon } from '@jupyterlab/ui-components';

const GPU_SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">
  <g class="jp-icon3" fill="#616161">
    <path d="M2 6h18a2 2 0 0 1 2 2v8a2 2 0 0 1-2 2H8v2H6v-2H4v2H2zm2 2v8h16V8zm3 1.5a2.5 2.5 0 1 1 0 5 2.5 2.5 0 0 1 0-5zm7 0a2.5 2.5 0 1 1 0 5 2.5 2.5 0 0 1 0-5z"/>
  </g>
</svg>`;

/** The GPU icon used by the sidebar tab and the command. */
export const gpuIcon = new LabIcon({
  name: 'jupyterlab-gpu-session:gpu',
  svgstr: GPU_SVG
});
