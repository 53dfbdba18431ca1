/**
 * The subshell transport against a real JupyterLab and a real ipykernel 7:
 * the numbers are read in the notebook's own kernel while its cell runs,
 * no second kernel is started, the user's kernel state does not move, and
 * neither the page's indicators nor the server's kernel model ever show
 * our samples' busy/idle.
 */
import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import { APIRequestContext } from '@playwright/test';
import * as fs from 'fs';
import {
  GPU_NAME,
  KERNEL_PID as PID,
  openSidebar,
  replayTeslaT4,
  sampleCount,
  SIDEBAR
} from '../tests/helpers';

/** What the page records of the kernel status indicators. */
interface IRecorder {
  __gsStates?: string[];
  __gsTimer?: number;
}

/** The pid of a kernel, from its command line (same machine). */
function kernelPid(id: string): number | null {
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) {
      continue;
    }
    try {
      if (
        fs
          .readFileSync(`/proc/${entry}/cmdline`, 'utf-8')
          .includes(`kernel-${id}.json`)
      ) {
        return Number(entry);
      }
    } catch {
      // The process ended while we looked.
    }
  }
  return null;
}

async function kernelModels(
  request: APIRequestContext
): Promise<{ id: string; execution_state: string; last_activity: string }[]> {
  return (await request.get('api/kernels?no_track_activity=1')).json();
}

/** Sample the notebook's status indicators every 20 ms from now on. */
async function recordIndicators(page: IJupyterLabPageFixture): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as IRecorder;
    w.__gsStates = [];
    w.__gsTimer = window.setInterval(() => {
      const indicator = document.querySelector(
        '.jp-Notebook-ExecutionIndicator'
      );
      const bar = document.querySelector('#jp-main-statusbar');
      const barState = /\|\s*(Idle|Busy)/.exec(bar?.textContent ?? '');
      w.__gsStates!.push(
        `${indicator?.getAttribute('data-status') ?? '-'}/${barState?.[1]?.toLowerCase() ?? '-'}`
      );
    }, 20);
  });
}

async function stopRecording(page: IJupyterLabPageFixture): Promise<string[]> {
  return page.evaluate(() => {
    const w = window as unknown as IRecorder;
    window.clearInterval(w.__gsTimer);
    return w.__gsStates ?? [];
  });
}

/** The text/plain output of cell `index`. */
async function output(
  page: IJupyterLabPageFixture,
  index: number
): Promise<string> {
  return (await page.notebook.getCellTextOutput(index))?.join('') ?? '';
}

const STATE = "len(In), sorted(k for k in globals() if not k.startswith('_'))";

test.describe('subshell transport', () => {
  test.beforeEach(() => replayTeslaT4());

  for (const [what, code] of [
    ['sleeps', "__import__('time').sleep(30)"],
    [
      'runs a pure-Python loop',
      "_t0 = __import__('time').monotonic()\nwhile __import__('time').monotonic() - _t0 < 30:\n    sum(range(10000))"
    ]
  ]) {
    test(`reads the notebook kernel's numbers while its cell ${what}, and no indicator moves`, async ({
      page,
      request
    }) => {
      test.setTimeout(300000);
      await page.notebook.createNew(`busy-${what.split(' ')[0]}.ipynb`);
      await page.notebook.setCell(0, 'code', STATE);
      await page.notebook.runCell(0);
      const before = await output(page, 0);
      await openSidebar(page);
      await expect(page.locator(SIDEBAR)).toContainText(
        "Read in this notebook's kernel (subshell)"
      );
      await expect(page.locator(GPU_NAME).first()).toContainText('Tesla T4');
      const kernels = await kernelModels(request);
      expect(kernels).toHaveLength(1);
      const pid = kernelPid(kernels[0].id);
      expect(pid).not.toBeNull();
      await expect(page.locator(PID)).toHaveText(String(pid));

      await page.notebook.addCell('code', code);
      // Run without waiting: the cell is busy for 30 s.
      await page.keyboard.press('Control+Enter');
      await expect(
        page.locator('.jp-Notebook-ExecutionIndicator')
      ).toHaveAttribute('data-status', 'busy');
      await recordIndicators(page);
      const serverStates: string[] = [];
      const start = await sampleCount(page);
      while ((await sampleCount(page)) < start + 6) {
        serverStates.push(
          (await kernelModels(request)).map(k => k.execution_state).join()
        );
        await page.waitForTimeout(250);
      }
      const busyStates = await stopRecording(page);
      expect(busyStates.length).toBeGreaterThan(50);
      expect(busyStates.filter(s => s !== 'busy/busy')).toEqual([]);
      // The server's kernel model: one kernel, busy throughout.
      expect(serverStates.filter(s => s !== 'busy')).toEqual([]);
      await expect(page.locator(PID)).toHaveText(String(pid));
      expect(await kernelModels(request)).toHaveLength(1);

      await page.notebook.waitForRun(1);
      await expect(
        page.locator('.jp-Notebook-ExecutionIndicator')
      ).toHaveAttribute('data-status', 'idle');
      await recordIndicators(page);
      const activity = (await kernelModels(request))[0].last_activity;
      const idleStart = await sampleCount(page);
      const idleServer: string[] = [];
      while ((await sampleCount(page)) < idleStart + 6) {
        idleServer.push(
          (await kernelModels(request)).map(k => k.execution_state).join()
        );
        await page.waitForTimeout(250);
      }
      const idleStates = await stopRecording(page);
      expect(idleStates.filter(s => s !== 'idle/idle')).toEqual([]);
      expect(idleServer.filter(s => s !== 'idle')).toEqual([]);
      // Samples of an idle kernel do not count as its activity.
      expect((await kernelModels(request))[0].last_activity).toBe(activity);

      // (The busy cells bind no public name.) Many samples later: the same names, and two more In entries (the
      // busy cell and this one), none of ours.
      await page.notebook.runCell(0);
      const after = await output(page, 0);
      const [, inBefore, rest] = /^\((\d+), (.*)\)$/s.exec(before)!;
      expect(after).toBe(`(${Number(inBefore) + 2}, ${rest})`);
    });
  }
});
