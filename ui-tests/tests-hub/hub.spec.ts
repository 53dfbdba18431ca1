/**
 * Two users on a real JupyterHub (playwright.hub.config.js): login through the
 * hub, the sidebar behind the hub's proxy and auth, what each user sees of
 * the other's GPU processes, and the hub's idle culler.
 */
import { expect, Page, test } from '@playwright/test';
import {
  hubRecord,
  kernelStatus,
  kernelPid,
  login,
  newNotebook,
  openSidebar,
  replayGpuProcesses,
  runInNotebook,
  setHidden,
  SIDEBAR
} from './hub';

const USERS = ['alice', 'bob'] as const;

test.describe.configure({ mode: 'serial' });

test.describe('JupyterHub with two users', () => {
  const pages: Record<string, Page> = {};
  const kernels: Record<string, string> = {};

  test.beforeAll(async ({ browser }) => {
    // Both users at once: the hub spawns both servers in parallel.
    await Promise.all(
      USERS.map(async user => {
        pages[user] = await login(browser, user);
        kernels[user] = await newNotebook(pages[user]);
      })
    );
    replayGpuProcesses(
      USERS.map((user, i) => ({
        pid: kernelPid(kernels[user]),
        name: '/usr/bin/python3',
        mib: 1000 * (i + 1)
      }))
    );
  });

  test('each user logs in through the hub and sees live numbers of the shared GPU', async () => {
    await Promise.all(
      USERS.map(async user => {
        const page = pages[user];
        expect(new URL(page.url()).pathname).toMatch(
          new RegExp(`^/user/${user}/lab`)
        );
        await openSidebar(page);
        const sidebar = page.locator(SIDEBAR);
        await expect(sidebar).toContainText('Tesla T4');
        await expect
          .poll(async () =>
            Number((await sidebar.getAttribute('data-sample-count')) ?? '0')
          )
          .toBeGreaterThan(1);
      })
    );
  });

  test('each sidebar marks only its own kernel; the other user is a bare process', async () => {
    await Promise.all(
      USERS.map(async (user, i) => {
        const other = USERS[1 - i];
        const page = pages[user];
        const mine = page
          .locator(`${SIDEBAR} .jp-GpuSession-process`)
          .filter({ hasText: `(${kernelPid(kernels[user])})` });
        const theirs = page
          .locator(`${SIDEBAR} .jp-GpuSession-process`)
          .filter({ hasText: `(${kernelPid(kernels[other])})` });
        await expect(mine).toHaveClass(/jp-mod-active/);
        await expect(mine).toContainText('this notebook');
        await expect(theirs).toBeVisible();
        await expect(theirs).not.toHaveClass(/jp-mod-active/);
        await expect(theirs).not.toContainText('this notebook');
        // Nothing of the other user's kernel beyond what nvidia-smi shows.
        await expect(page.locator(SIDEBAR)).not.toContainText(kernels[other]);
        await expect(page.locator(SIDEBAR)).not.toContainText(other);
      })
    );
  });

  test("the server part answers through the hub's auth, to its own user only", async ({
    playwright
  }) => {
    const limits = await pages.alice.evaluate(async () => {
      // As JupyterLab's ServerConnection does: the hub's single-user auth
      // wants the _xsrf cookie echoed on cookie-authenticated API requests.
      const xsrf = /(?:^|; )_xsrf=([^;]*)/.exec(document.cookie)?.[1] ?? '';
      const response = await fetch('/user/alice/gpu-session/limits', {
        headers: { 'X-XSRFToken': decodeURIComponent(xsrf) }
      });
      return { status: response.status, body: await response.json() };
    });
    expect(limits.status).toBe(200);
    expect(limits.body.schema_version).toBe(1);
    expect(limits.body.jupyterhub.user).toBe('alice');
    expect(limits.body.jupyterhub.idle_timeout_s).toEqual({
      value: 150,
      source: 'environment',
      detail: 'GPU_SESSION_HUB_IDLE_TIMEOUT'
    });
    // Bob's hub login does not open Alice's server.
    const foreign = await pages.bob.evaluate(async () => {
      const response = await fetch('/user/alice/gpu-session/limits', {
        redirect: 'manual'
      });
      return response.status;
    });
    expect(foreign).not.toBe(200);
    // Nor does no login at all.
    const anonymous = await playwright.request.newContext({
      baseURL: test.info().project.use.baseURL
    });
    const response = await anonymous.get('/user/alice/gpu-session/limits', {
      maxRedirects: 0
    });
    expect([302, 401, 403]).toContain(response.status());
    await anonymous.dispose();
  });

  test('the countdown says JupyterHub and where its numbers come from', async () => {
    const section = pages.alice.locator(`${SIDEBAR} .jp-GpuSession-countdown`);
    await expect(section).toContainText('Detected JupyterHub');
    await expect(
      section.getByRole('meter', { name: /^Idle cut-off in/ })
    ).toBeVisible();
    await expect(section).toContainText(
      "JupyterHub's idle culler, set by the admin (GPU_SESSION_HUB_IDLE_TIMEOUT)"
    );
  });

  // FIXME: fails as of this commit. Alice's hidden tab sends no HTTP request
  // to her server after the monitor's idle pause (last one: JupyterLab's
  // autosave), yet the hub's last_activity for her server keeps moving, so
  // the culler never stops it. Suspected: data on the still-open notebook
  // kernel websocket, which configurable-http-proxy counts as activity
  // (docs/jupyterhub.md). Not yet found which side sends it.
  test.fixme("the hub's culler stops an idle server; a long cell runs on", async ({
    request
  }) => {
    // Bob starts a cell that outlasts the culler's timeout (150 s) by far.
    await runInNotebook(pages.bob, 'import time\ntime.sleep(900)');
    await expect.poll(() => kernelStatus(pages.bob)).toBe('busy');
    // Both tabs go to the background, sidebars open, and nobody touches
    // anything again (see docs/jupyterhub.md for a visible tab).
    await setHidden(pages.alice, true);
    await setHidden(pages.bob, true);
    await expect
      .poll(
        async () => Object.keys((await hubRecord(request, 'alice')).servers),
        {
          timeout: 360000,
          intervals: [5000]
        }
      )
      .toEqual([]);
    // Alice's server is gone; Bob's is there with his cell still running.
    const bob = await hubRecord(request, 'bob');
    expect(bob.servers['']?.ready).toBe(true);
    expect(await kernelStatus(pages.bob)).toBe('busy');
  });
});
