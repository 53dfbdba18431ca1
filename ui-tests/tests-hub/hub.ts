/**
 * Helpers of the JupyterHub browser tests: log in through the hub, drive
 * JupyterLab through its commands, read the hub's REST API as the admin.
 */
import { APIRequestContext, Browser, expect, Page } from '@playwright/test';
import * as fs from 'fs';
import * as path from 'path';

/** The password of the hub's dummy authenticator (hub/jupyterhub_config.py). */
export const PASSWORD = 'gpu-session-test';
/** The sidebar's root element. */
export const SIDEBAR = '#jp-GpuSession-sidebar';

const TMP = process.env.GALATA_HUB_TMP ?? '';
const FIXTURES = path.resolve(
  __dirname,
  '..',
  '..',
  'tests',
  'fixtures',
  'nvidia-smi'
);
/** The GPU of tesla-t4-query-gpu.csv. */
const T4_UUID = 'GPU-5a1b7c2e-0f3d-4e6a-9b8c-1d2e3f4a5b6c';

/** The little of JupyterLab the tests use (`expose_app_in_browser`). */
export interface ILabWindow {
  jupyterapp?: {
    restored: Promise<void>;
    commands: { execute(id: string, args?: unknown): Promise<unknown> };
    shell: {
      currentWidget: INotebookLike | null;
      activateById(id: string): void;
    };
  };
}

/** The little of a notebook panel the tests use. */
export interface INotebookLike {
  id: string;
  context: { save(): Promise<void>; model: { dirty: boolean } };
  sessionContext: {
    ready: Promise<void>;
    kernelDisplayStatus: string;
    session: { kernel: { id: string } };
  };
  content: {
    activeCell: { model: { sharedModel: { setSource(s: string): void } } };
  };
}

/** The hub's REST API record of a user. */
export interface IHubUser {
  name: string;
  servers: Record<string, { ready: boolean; last_activity: string | null }>;
}

/** The active notebook's kernel status as JupyterLab shows it. */
export async function kernelStatus(page: Page): Promise<string> {
  return page.evaluate(
    () =>
      (window as ILabWindow).jupyterapp!.shell.currentWidget!.sessionContext
        .kernelDisplayStatus
  );
}

/** Log `user` in through the hub's login page; resolves on a started JupyterLab. */
export async function login(browser: Browser, user: string): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto('/hub/login');
  await page.locator('#username_input').fill(user);
  await page.locator('#password_input').fill(PASSWORD);
  await page.locator('#login_submit').click();
  // The hub spawns the server, then redirects to its default URL (/lab).
  await page.waitForURL(new RegExp(`/user/${user}/lab`), { timeout: 120000 });
  await page.waitForFunction(
    () => !!(window as ILabWindow).jupyterapp,
    undefined,
    {
      timeout: 120000
    }
  );
  // Every plugin activated and the layout restored.
  await page.evaluate(() => (window as ILabWindow).jupyterapp!.restored);
  await page.locator('#jupyterlab-splash').waitFor({ state: 'detached' });
  return page;
}

/** Open the GPU sidebar through the main menu, as a user would. */
export async function openSidebar(page: Page): Promise<void> {
  await page.getByRole('menuitem', { name: 'GPU' }).click();
  await page
    .getByRole('menuitem', { name: 'Open GPU Session Sidebar' })
    .click();
  await page.locator(SIDEBAR).waitFor({ state: 'visible' });
}

/** Create a notebook, wait for its kernel, and return the kernel id. */
export async function newNotebook(page: Page): Promise<string> {
  return page.evaluate(async () => {
    const app = (window as ILabWindow).jupyterapp!;
    const panel = (await app.commands.execute('notebook:create-new', {
      kernelName: 'python3'
    })) as INotebookLike;
    await panel.sessionContext.ready;
    await app.shell.activateById(panel.id);
    return panel.sessionContext.session.kernel.id;
  });
}

/** Type `code` into the active notebook's cell and run it (no waiting). */
export async function runInNotebook(page: Page, code: string): Promise<void> {
  await page.evaluate(async source => {
    const app = (window as ILabWindow).jupyterapp!;
    const panel = app.shell.currentWidget!;
    panel.content.activeCell.model.sharedModel.setSource(source);
    void app.commands.execute('notebook:run-cell');
  }, code);
}

/**
 * Save the active notebook and say whether it is clean afterwards: a dirty
 * notebook is autosaved (a PUT to the server, i.e. activity) every
 * autosaveInterval, which the culler scenarios must not depend on.
 */
export async function saveNotebook(page: Page): Promise<boolean> {
  return page.evaluate(async () => {
    const panel = (window as ILabWindow).jupyterapp!.shell.currentWidget!;
    await panel.context.save();
    return !panel.context.model.dirty;
  });
}

/** The pid of the kernel process whose command line names its connection file. */
export function kernelPid(id: string): number {
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) {
      continue;
    }
    try {
      const cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf-8');
      if (cmdline.includes(`kernel-${id}.json`)) {
        return Number(entry);
      }
    } catch {
      // The process ended while we looked.
    }
  }
  throw new Error(`no process for kernel ${id}`);
}

/**
 * Make the fake nvidia-smi of every single-user server report one Tesla T4
 * with these processes on it (real pids of the users' kernels).
 */
export function replayGpuProcesses(
  procs: { pid: number; name: string; mib: number }[]
): void {
  const apps = path.join(TMP, 'nvidia-smi-replay-apps.csv');
  const lines = ['gpu_uuid, pid, process_name, used_gpu_memory [MiB]'];
  for (const p of procs) {
    lines.push(`${T4_UUID}, ${p.pid}, ${p.name}, ${p.mib} MiB`);
  }
  fs.writeFileSync(apps, lines.join('\n') + '\n');
  relink(path.join(TMP, 'nvidia-smi-replay-apps'), apps);
  relink(
    path.join(TMP, 'nvidia-smi-replay'),
    path.join(FIXTURES, 'tesla-t4-query-gpu.csv')
  );
}

/** Make the page look hidden to every poll on it (JupyterLab's and ours). */
export { setHidden } from '../tests/helpers';

/** The hub API token of the tests' own service (hub/jupyterhub_config.py). */
export const HUB_TOKEN =
  process.env.GALATA_HUB_TOKEN ?? 'gpu-session-tests-not-a-secret';

/** The hub's record of `user` (its servers, their last activity). */
export async function hubRecord(
  request: APIRequestContext,
  user: string
): Promise<IHubUser> {
  const response = await request.get(`/hub/api/users/${user}`, {
    headers: { Authorization: `token ${HUB_TOKEN}` }
  });
  expect(response.status()).toBe(200);
  return response.json();
}

/** The proxy API's token (hub/jupyterhub_config.py, test-only). */
export const PROXY_TOKEN =
  process.env.GALATA_HUB_PROXY_TOKEN ?? 'gpu-session-proxy-not-a-secret';

/** One route of configurable-http-proxy. */
export interface IRoute {
  target: string;
  last_activity: string;
}

/**
 * configurable-http-proxy's route of each user's default server, by user
 * (the proxy keeps `/user/alice` without the trailing slash).
 */
export async function proxyRoutes(
  request: APIRequestContext
): Promise<Record<string, IRoute>> {
  const port = Number(process.env.GALATA_HUB_PORT || '8920') + 2;
  const response = await request.get(`http://127.0.0.1:${port}/api/routes`, {
    headers: { Authorization: `token ${PROXY_TOKEN}` }
  });
  expect(response.status()).toBe(200);
  const routes: Record<string, IRoute> = {};
  for (const [prefix, route] of Object.entries(
    (await response.json()) as Record<string, IRoute>
  )) {
    const user = /^\/user\/([^/]+)\/?$/.exec(prefix)?.[1];
    if (user) {
      routes[user] = route;
    }
  }
  return routes;
}

/** What a single-user server itself says of its activity and its kernels. */
export interface IServerView {
  /** jupyter_server's `last_activity()` (GET /api/status). */
  last_activity: string;
  kernels: { id: string; execution_state: string; last_activity: string }[];
}

/**
 * Ask `user`'s server directly at `target` (the proxy's route target), not
 * through the proxy: the proxy would count the request as activity. Neither
 * request moves the server's own last_activity (/api/status does not track
 * activity; no_track_activity on /api/kernels, jupyter_server's APIHandler).
 */
export async function serverView(
  request: APIRequestContext,
  user: string,
  target: string
): Promise<IServerView> {
  const headers = { Authorization: `token ${HUB_TOKEN}` };
  const base = `${target}/user/${user}/api`;
  const status = await request.get(`${base}/status`, { headers });
  const kernels = await request.get(`${base}/kernels?no_track_activity=1`, {
    headers
  });
  expect(status.status()).toBe(200);
  expect(kernels.status()).toBe(200);
  return {
    last_activity: (await status.json()).last_activity,
    kernels: await kernels.json()
  };
}

function relink(at: string, target: string): void {
  try {
    fs.unlinkSync(at);
  } catch {
    // Not there yet.
  }
  fs.symlinkSync(target, at);
}
