/**
 * jupyterlab-gpu-session: the plugins of the extension.
 */
import { JupyterFrontEndPlugin } from '@jupyterlab/application';
import { checkpointPlugin } from './checkpoint/plugin';
import { countdownPlugin } from './countdown/plugin';
import { monitorPlugin } from './monitor/plugin';
import { sidebarPlugin } from './sidebar/plugin';
import { statusItemPlugin } from './sidebar/statusItemPlugin';
import { templatesPlugin } from './templates/plugin';
import { warningsPlugin } from './warnings/plugin';
import { addStatusStyles } from './ui/statusStyles';

export * from './tokens';

// The status bar items' styles, at start: a string put in a <style> element
// rather than the package's style module or a CSS module, so that neither a
// second module nor style-loader's runtime is fetched at start. The
// sidebar's styles come with the sidebar.
addStatusStyles();

const plugins: JupyterFrontEndPlugin<unknown>[] = [
  monitorPlugin,
  sidebarPlugin,
  statusItemPlugin,
  countdownPlugin,
  templatesPlugin,
  warningsPlugin,
  checkpointPlugin
];

export default plugins;
