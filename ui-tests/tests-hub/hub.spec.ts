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
});
