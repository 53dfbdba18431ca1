/**
 * The monitor's life cycle against a real JupyterLab and real kernels:
 * notebook kernels restarted, killed and changed; the monitor kernel killed
 * or shut down by someone else; reloads that must not pile up monitor
 * kernels; the idle pause and the hidden tab, which must leave the
 * session's activity clocks alone.
 */
import {
  expect,
  galata,
  IJupyterLabPageFixture,
  test
} from '@jupyterlab/galata';
import { APIRequestContext } from '@playwright/test';
import * as fs from 'fs';
import {
  openSidebar,
  replayNoGpu,
  sampleCount,
  setHidden,
  SIDEBAR
} from './helpers';

/** What the tests read of the current notebook panel in the page. */
interface ISessionWidget {
  sessionContext: {
    session: { kernel: { id: string; name: string } | null } | null;
    changeKernel(options: { name: string }): Promise<unknown>;
  };
}

/** Where the page keeps the status texts it saw. */
interface IRecorder {
  __statusTexts?: string[];
}

/** The default sampling interval (schema/monitor.json). */
const INTERVAL_MS = 2000;
/** Two intervals, plus what a browser and a kernel start may add. */
const WITHIN_TWO_INTERVALS = 2 * INTERVAL_MS + 3000;

const STATUS = `${SIDEBAR} .jp-GpuSession-status`;
const PID = `${SIDEBAR} .jp-GpuSession-kernel dt:text-is("PID") + dd`;

interface IKernelModel {
  id: string;
  name: string;
  last_activity: string;
  execution_state: string;
}

/** Kernels and sessions, read without counting as activity. */
async function kernels(request: APIRequestContext): Promise<IKernelModel[]> {
  // A listing taken while a kernel restarts can fail (a 500): ask again.
  for (let attempt = 0; ; attempt++) {
    const response = await request.get('api/kernels?no_track_activity=1');
    const body = await response.json().catch(() => null);
    if (Array.isArray(body) || attempt === 10) {
      return body;
    }
    await new Promise(resolve => setTimeout(resolve, 200));
  }
}

/** Kernels without a session: the monitor kernels. */
async function monitorKernels(
  request: APIRequestContext
): Promise<IKernelModel[]> {
  const sessions: { kernel: { id: string } }[] = await (
    await request.get('api/sessions?no_track_activity=1')
  ).json();
  const owned = new Set(sessions.map(s => s.kernel.id));
  return (await kernels(request)).filter(k => !owned.has(k.id));
}

/** The process id of a kernel, from its command line (same machine). */
function kernelPid(id: string): number | null {
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
  return null;
}

async function shownPid(page: IJupyterLabPageFixture): Promise<number> {
  return Number(await page.locator(PID).textContent());
}

/** Record every text the status line shows from now on. */
async function recordStatus(page: IJupyterLabPageFixture): Promise<void> {
  await page.evaluate(selector => {
    const node = document.querySelector(selector)!;
    const seen: string[] = [node.textContent ?? ''];
    (window as unknown as IRecorder).__statusTexts = seen;
    new MutationObserver(() => seen.push(node.textContent ?? '')).observe(
      node,
      { childList: true, characterData: true, subtree: true }
    );
  }, STATUS);
}

async function recordedStatus(page: IJupyterLabPageFixture): Promise<string> {
  return page.evaluate(() =>
    ((window as unknown as IRecorder).__statusTexts ?? []).join('\n')
  );
}

test.describe('monitor life cycle', () => {
  // These follow the separate monitor kernel (the transport for kernels
  // without subshells); tests-subshell/ covers the subshell path.
  test.use({
    mockSettings: {
      ...galata.DEFAULT_SETTINGS,
      'jupyterlab-gpu-session:monitor': { transport: 'monitor-kernel' }
    },
    // Galata's kernel tracker answers the page's kernel lists with only the
    // kernels whose start it saw answered: a monitor kernel started by a
    // page that reloaded mid-start would be hidden from the next page,
    // which would then start a second one. The page sees the server's list,
    // as it does outside the tests; the tests clean up after themselves.
    kernels: null
  });
  test.beforeEach(() => replayNoGpu());
  // No monitor kernel (nor any other kernel without a session) is left for
  // the next test: the page goes first, so it starts nothing more.
  test.afterEach(async ({ page, request }) => {
    await page.close();
    await expect
      .poll(async () => {
        const left = await monitorKernels(request);
        await Promise.all(left.map(k => request.delete(`api/kernels/${k.id}`)));
        return left.length;
      })
      .toBe(0);
  });

  test('follows the notebook kernel through restart, SIGKILL and a change to a non-Python kernel', async ({
    page,
    request
  }) => {
    await page.notebook.createNew('life.ipynb');
    await openSidebar(page);
    await expect(page.locator(PID)).toHaveText(/^\d+$/);
    const kernelId: string = await page.evaluate(
      () =>
        (window.jupyterapp.shell.currentWidget as unknown as ISessionWidget)
          .sessionContext.session?.kernel?.id ?? ''
    );
    const first = await shownPid(page);
    expect(first).toBe(kernelPid(kernelId));

    // Restart: same kernel id, new process.
    await recordStatus(page);
    const restarted = await request.post(`api/kernels/${kernelId}/restart`);
    expect(restarted.ok()).toBe(true);
    await expect(page.locator(PID)).not.toHaveText(String(first), {
      timeout: WITHIN_TWO_INTERVALS
    });
    const second = await shownPid(page);
    expect(second).toBe(kernelPid(kernelId));
    await expect(page.locator(STATUS)).toContainText('Live');

    // SIGKILL: the server notices and restarts the kernel; the sidebar
    // says so and follows the new process.
    process.kill(second, 'SIGKILL');
    await expect(page.locator(PID)).not.toHaveText(String(second), {
      timeout: 20000
    });
    await expect(page.locator(STATUS)).toContainText('Live');
    // The status line said what happened, and never showed an error.
    expect(await recordedStatus(page)).not.toMatch(/unavailable|Probe error/);
    expect(await shownPid(page)).toBe(kernelPid(kernelId));

    // Change to a kernel whose language is not Python: the monitor stays on
    // a Python kernelspec and finds the new kernel by its id.
    await page.evaluate(() =>
      (
        window.jupyterapp.shell.currentWidget as unknown as ISessionWidget
      ).sessionContext.changeKernel({
        name: 'fakelang'
      })
    );
    await expect
      .poll(() =>
        page.evaluate(
          () =>
            (window.jupyterapp.shell.currentWidget as unknown as ISessionWidget)
              .sessionContext.session?.kernel?.name
        )
      )
      .toBe('fakelang');
    const fakeId: string = await page.evaluate(
      () =>
        (window.jupyterapp.shell.currentWidget as unknown as ISessionWidget)
          .sessionContext.session?.kernel?.id ?? ''
    );
    await expect
      .poll(async () => (await shownPid(page)) === kernelPid(fakeId), {
        timeout: 20000
      })
      .toBe(true);
    const monitors = await monitorKernels(request);
    expect(monitors.map(k => k.name)).toEqual(['python3']);
  });

  test('replaces a monitor kernel that was killed or shut down by someone else', async ({
    page,
    request
  }) => {
    await openSidebar(page);
    await expect(page.locator(STATUS)).toContainText('Live');
    await expect
      .poll(async () => (await monitorKernels(request)).length)
      .toBe(1);
    const [monitor] = await monitorKernels(request);

    // SIGKILL: the server restarts it; the probe is loaded again.
    await recordStatus(page);
    const pid = kernelPid(monitor.id)!;
    expect(pid).toBeGreaterThan(0);
    process.kill(pid, 'SIGKILL');
    await expect(page.locator(STATUS)).toContainText('killed or crashed', {
      timeout: 20000
    });
    await expect(page.locator(STATUS)).toHaveAttribute('data-level', 'ok');
    let before = await sampleCount(page);
    await expect
      .poll(() => sampleCount(page), { timeout: WITHIN_TWO_INTERVALS })
      .toBeGreaterThan(before);

    // Shut down from outside (another client, the culler): a new one.
    const gone = await request.delete(`api/kernels/${monitor.id}`);
    expect(gone.status()).toBe(204);
    await expect(page.locator(STATUS)).toContainText(
      'shut down or died outside this page',
      { timeout: WITHIN_TWO_INTERVALS + 5000 }
    );
    const replaced = await monitorKernels(request);
    expect(replaced.length).toBe(1);
    expect(replaced[0].id).not.toBe(monitor.id);
    before = await sampleCount(page);
    await expect
      .poll(() => sampleCount(page), { timeout: WITHIN_TWO_INTERVALS })
      .toBeGreaterThan(before);
  });

  test('keeps at most one monitor kernel through 20 reloads and kernel restarts, and none once nothing needs it', async ({
    page,
    request
  }) => {
    test.setTimeout(240000);
    // A Python notebook: a notebook of another language gets language
    // metadata from its kernel and asks to be saved when closed.
    await page.notebook.createNew('reload.ipynb', { kernel: 'python3' });
    await openSidebar(page);
    for (let round = 0; round < 20; round++) {
      if (round % 4 === 3) {
        const [session] = await (
          await request.get('api/sessions?no_track_activity=1')
        ).json();
        await request.post(`api/kernels/${session.kernel.id}/restart`);
      }
      // A plain browser reload (galata's own waits for more than needed).
      await Promise.all([
        page.waitForEvent('domcontentloaded'),
        page.evaluate(() => window.location.reload())
      ]);
      // Most reloads come before the monitor has started (a race with the
      // previous page's shutdown); every fifth waits for samples.
      // The panel (its sections are made when it is first shown) says the
      // monitor's phase whether or not it is open.
      await page.waitForSelector(`${SIDEBAR}[data-phase]`, {
        state: 'attached'
      });
      if (round % 5 === 4) {
        await page.evaluate(() =>
          window.jupyterapp.commands.execute('gpu-session:open')
        );
        await page.waitForSelector(`${STATUS}[data-phase="running"]`);
      }
      // The previous page's kernel is waited for until the server no longer
      // lists it, so a reload never shows two.
      expect((await monitorKernels(request)).length).toBeLessThanOrEqual(1);
    }
    await expect(page.locator(STATUS)).toContainText('Live');
    await expect
      .poll(async () => (await monitorKernels(request)).length)
      .toBe(1);

    // Close the notebook and the sidebar: nothing needs the monitor now.
    await page.evaluate(async () => {
      const app = window.jupyterapp;
      // Save every open document: after the sidebar was opened no widget
      // may be current, and docmanager:save needs one.
      await app.commands.execute('docmanager:save-all');
      await app.commands.execute('application:close-all');
      (app.shell as unknown as { collapseRight(): void }).collapseRight();
    });
    await expect
      .poll(async () => (await monitorKernels(request)).length)
      .toBe(0);
  });

  test.describe('idle', () => {
    test.use({
      mockSettings: {
        ...galata.DEFAULT_SETTINGS,
        'jupyterlab-gpu-session:monitor': {
          idlePauseMinutes: 0.1,
          transport: 'monitor-kernel'
        }
      }
    });

    test('pauses without input, shuts the monitor kernel down, moves no last_activity, and resumes on input', async ({
      page,
      request
    }) => {
      await page.notebook.createNew('idle.ipynb');
      await openSidebar(page);
      await expect(page.locator(STATUS)).toContainText('Live');
      await expect(page.locator(STATUS)).toHaveAttribute(
        'data-phase',
        'paused',
        {
          timeout: 20000
        }
      );
      await expect(page.locator(STATUS)).toContainText('Paused');
      await expect
        .poll(async () => (await monitorKernels(request)).length)
        .toBe(0);
      const before = await kernels(request);
      const count = await sampleCount(page);
      // Three intervals with nothing moving.
      await page.waitForTimeout(3 * INTERVAL_MS);
      expect(await kernels(request)).toEqual(before);
      expect(await sampleCount(page)).toBe(count);

      await page.keyboard.press('Shift');
      await expect(page.locator(STATUS)).toHaveAttribute(
        'data-phase',
        'running'
      );
      await expect
        .poll(() => sampleCount(page), { timeout: WITHIN_TWO_INTERVALS })
        .toBeGreaterThan(count);
      expect((await monitorKernels(request)).length).toBe(1);
    });
  });

  test('stands by while the tab is hidden, so the server’s last_activity stops moving', async ({
    page,
    request
  }) => {
    await page.notebook.createNew('hidden.ipynb');
    await openSidebar(page);
    await expect(page.locator(STATUS)).toContainText('Live');
    await setHidden(page, true);
    // JupyterLab's own polls run one more tick ("linger") before standing
    // by; they tick every 10 s.
    await page.waitForTimeout(21000);
    const status = async () =>
      (await (await request.get('api/status')).json()).last_activity;
    const count = await sampleCount(page);
    const server = await status();
    const kernelsBefore = await kernels(request);
    await page.waitForTimeout(4 * INTERVAL_MS);
    expect(await status()).toBe(server);
    expect(await kernels(request)).toEqual(kernelsBefore);
    expect(await sampleCount(page)).toBe(count);

    await setHidden(page, false);
    await expect
      .poll(() => sampleCount(page), { timeout: WITHIN_TWO_INTERVALS })
      .toBeGreaterThan(count);
  });
});
