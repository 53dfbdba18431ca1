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
