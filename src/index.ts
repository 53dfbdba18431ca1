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
// The status bar items' styles, at start. Imported here rather than given
// as the package's style module, so that they and the sidebar's styles
// (fetched with the sidebar) share one style-loader runtime.
import '../style/status.css';

export * from './tokens';

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
