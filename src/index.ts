/**
 * jupyterlab-gpu-session: the plugins of the extension.
 */
import { JupyterFrontEndPlugin } from '@jupyterlab/application';
import { countdownPlugin } from './plugins/countdownPlugin';
import { monitorPlugin } from './plugins/monitorPlugin';
import { sidebarPlugin } from './plugins/sidebarPlugin';
import { statusItemPlugin } from './plugins/statusItemPlugin';
import { templatesPlugin } from './plugins/templatesPlugin';
import { warningsPlugin } from './plugins/warningsPlugin';

export * from './tokens';

const plugins: JupyterFrontEndPlugin<unknown>[] = [
  monitorPlugin,
  sidebarPlugin,
  statusItemPlugin,
  countdownPlugin,
  templatesPlugin,
  warningsPlugin
];

export default plugins;
