/**
 * Seven users on a real JupyterHub (playwright.hub.config.js): login through
 * the hub, the sidebar behind the hub's proxy and auth, what two users see of
 * each other's GPU processes, and the hub's idle culler with and without the
 * extension's monitoring, side by side (docs/jupyterhub.md).
 */
import { expect, Page, test } from '@playwright/test';
import * as fs from 'fs';
import * as path from 'path';
import {
  hubRecord,
  kernelStatus,
  kernelPid,
  login,
  newNotebook,
  openSidebar,
  proxyRoutes,
  replayGpuProcesses,
  runInNotebook,
  saveNotebook,
  serverView,
  setHidden,
  SIDEBAR
} from './hub';

/** Users with the sidebar open from the first test on. */
const SIDEBAR_USERS = ['alice', 'bob'] as const;
/**
 * Every user of the hub (hub/jupyterhub_config.py) and their part in the
 * culler scenario; "no extension": JupyterLab without this extension
 * (page_config.json disabledExtensions), the controls.
 * alice  tab hidden, notebook idle, sidebar open (the monitor pauses)
 * carol  alice's control: the same, no extension
 * bob    tab hidden, a long silent cell, sidebar open
 * dave   bob's control: the same cell, no extension
 * gina   bob's scenario, no sidebar, hiddenBusyIntervalSeconds 600 (an
 *        admin's preset above the culler's timeout)
 * erin   tab visible, no notebook, no extension
 * frank  carol's scenario with jupyter_server's kernel-websocket ping on
 */
const USERS = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'gina'];
const NO_EXTENSION = ['carol', 'dave', 'erin', 'frank'];
const BUSY = ['bob', 'dave', 'gina'];
/** Who the culler must stop, and who must still be there afterwards. */
const CULLED = ['alice', 'carol', 'dave', 'gina'];
const KEPT = ['bob', 'erin', 'frank'];
/** The culler's --timeout (GALATA_HUB_CULL, hub/jupyterhub_config.py). */
const CULL_TIMEOUT_S = 120;
/** The culler's --cull-every (hub/jupyterhub_config.py). */
const CULL_EVERY_S = 30;

test.describe.configure({ mode: 'serial' });

test.describe('JupyterHub with seven users', () => {
  const pages: Record<string, Page> = {};
  const kernels: Record<string, string> = {};

  test.beforeAll(async ({ browser }) => {
    // Every user at once: the hub spawns the servers in parallel.
    await Promise.all(
      USERS.map(async user => {
        pages[user] = await login(browser, user);
        if (user !== 'erin') {
          kernels[user] = await newNotebook(pages[user]);
          // A new notebook is dirty: JupyterLab would autosave it (a PUT,
          // i.e. activity) within autosaveInterval (120 s). Saved now, the
          // scenarios below do not depend on when that happens.
          expect(await saveNotebook(pages[user])).toBe(true);
        }
      })
    );
    replayGpuProcesses(
      SIDEBAR_USERS.map((user, i) => ({
        pid: kernelPid(kernels[user]),
        name: '/usr/bin/python3',
        mib: 1000 * (i + 1)
      }))
    );
  });

  test('each user logs in through the hub and sees live numbers of the shared GPU', async () => {
    await Promise.all(
      SIDEBAR_USERS.map(async user => {
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
      SIDEBAR_USERS.map(async (user, i) => {
        const other = SIDEBAR_USERS[1 - i];
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
      value: CULL_TIMEOUT_S,
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

  test("the hub's culler: who is culled, who stays, and what moved last_activity", async ({
    request
  }) => {
    // The controls run JupyterLab without the extension at all.
    for (const user of NO_EXTENSION) {
      await expect(
        pages[user].getByRole('menuitem', { name: 'GPU' })
      ).toHaveCount(0);
    }
    await expect(pages.gina.getByRole('menuitem', { name: 'GPU' })).toHaveCount(
      1
    );
    // bob, dave and gina run the same silent cell that outlasts the
    // culler's timeout by far. Saved, so that no autosave counts as activity.
    await Promise.all(
      BUSY.map(async user => {
        await runInNotebook(pages[user], 'import time\ntime.sleep(900)');
        await expect.poll(() => kernelStatus(pages[user])).toBe('busy');
        expect(await saveNotebook(pages[user])).toBe(true);
      })
    );
    // Every tab but erin's goes to the background and nobody touches
    // anything again; erin's stays visible (see docs/jupyterhub.md).
    const hidden = USERS.filter(user => user !== 'erin');
    await Promise.all(hidden.map(user => setHidden(pages[user], true)));
    const hiddenAt = Date.now();
    const requests: Record<string, string[]> = {};
    for (const user of USERS) {
      requests[user] = [];
      pages[user].on('request', r => {
        if (new URL(r.url()).pathname.startsWith(`/user/${user}/`)) {
          requests[user].push(
            `${Date.now() - hiddenAt} ${r.method()} ${r.url()}`
          );
        }
      });
    }

    // Every 10 s, each level's last_activity for every user still served.
    const timeline: ITimelineRow[] = [];
    const last: Record<string, ITimelineRow> = {};
    const gone = new Set<string>();
    const snapshot = async () => {
      const routes = await proxyRoutes(request);
      for (const user of USERS) {
        if (gone.has(user)) {
          continue;
        }
        const hub = (await hubRecord(request, user)).servers[''];
        const route = routes[user];
        if (!hub || !route) {
          gone.add(user);
          continue;
        }
        const server = await serverView(request, user, route.target).catch(
          () => null
        );
        const row: ITimelineRow = {
          t: Math.round((Date.now() - hiddenAt) / 1000),
          user,
          hub: hub.last_activity,
          proxy: route.last_activity,
          server: server?.last_activity ?? null,
          kernels: server?.kernels.map(k => k.execution_state) ?? [],
          phase: (SIDEBAR_USERS as readonly string[]).includes(user)
            ? await pages[user]
                .locator(`${SIDEBAR} .jp-GpuSession-status`)
                .getAttribute('data-phase', { timeout: 1000 })
                .catch(() => null)
            : null
        };
        timeline.push(row);
        last[user] = row;
      }
      return CULLED.filter(user => gone.has(user));
    };
    try {
      await expect
        .poll(snapshot, { timeout: 330000, intervals: [10000] })
        .toEqual(CULLED);
    } finally {
      // The evidence of docs/jupyterhub.md, kept in the run's scratch folder.
      const body = JSON.stringify({ hiddenAt, timeline, requests }, null, 2);
      fs.writeFileSync(
        path.join(process.env.GALATA_HUB_TMP!, 'timeline.json'),
        body
      );
      await test.info().attach('timeline.json', {
        body,
        contentType: 'application/json'
      });
    }
    const at = (iso: string | null) => (iso ? Date.parse(iso) : 0);

    // alice: sidebar open, notebook idle. The monitor paused (its kernel
    // shut down) before the culler stopped her server.
    expect(timeline.some(r => r.user === 'alice' && r.phase === 'paused')).toBe(
      true
    );
    // carol, her control without the extension, is culled as well.
    // dave (no extension) and gina (the admin's long hidden-busy interval):
    // culled in the middle of their cells. jupyter_server's definition: a
    // silent busy kernel sends nothing on IOPub, so it is not activity.
    expect(last.dave.kernels).toContain('busy');
    expect(last.gina.kernels).toContain('busy');

    for (const user of KEPT) {
      expect(gone.has(user)).toBe(false);
    }
    const now = await proxyRoutes(request);
    const view = async (user: string) =>
      serverView(request, user, now[user].target);
    // bob: the same cell as dave's, with the extension (defaults). The
    // monitor samples a hidden page every hiddenBusyIntervalSeconds (30 s)
    // while a kernel of it is busy; each sample is kernel activity, so his
    // server was active long after the point where dave's was culled, and
    // his cell runs on.
    const bob = await view('bob');
    expect(bob.kernels.map(k => k.execution_state)).toContain('busy');
    expect(at(bob.last_activity)).toBeGreaterThan(
      hiddenAt + CULL_TIMEOUT_S * 1000
    );
    expect(await kernelStatus(pages.bob)).toBe('busy');
    // erin: a visible JupyterLab tab, no notebook, no sidebar. JupyterLab's
    // own polls keep moving her server's last_activity.
    const erin = await view('erin');
    expect(at(erin.last_activity)).toBeGreaterThan(
      hiddenAt + CULL_TIMEOUT_S * 1000
    );
    // frank: carol's scenario on a server that keeps jupyter_server's
    // kernel-websocket ping (every 30 s). Once his server's own account says
    // he has been idle for the culler's timeout and one more culler round,
    // he is still there: the proxy's route kept moving long after his
    // server's last activity (the browser's pong frames), and so did the
    // hub's record.
    let frank = await view('frank');
    await expect
      .poll(
        async () => {
          frank = await view('frank');
          return Date.now() - at(frank.last_activity);
        },
        { timeout: 120000, intervals: [5000] }
      )
      .toBeGreaterThan((CULL_TIMEOUT_S + CULL_EVERY_S) * 1000);
    expect((await hubRecord(request, 'frank')).servers['']?.ready).toBe(true);
    expect(
      at((await proxyRoutes(request)).frank.last_activity)
    ).toBeGreaterThan(at(frank.last_activity) + 2 * 30000);
  });
});

/** One user's last_activity at each level, seconds after the tabs were hidden. */
interface ITimelineRow {
  t: number;
  user: string;
  /** The hub's record of the server (what the culler reads). */
  hub: string | null;
  /** configurable-http-proxy's route. */
  proxy: string;
  /** jupyter_server's own last_activity() (GET /api/status). */
  server: string | null;
  /** Execution state of each kernel of the server. */
  kernels: string[];
  /** The sidebar's monitor phase, when the sidebar is open. */
  phase: string | null;
}
