/**
 * Shared helpers of the browser tests.
 */
import { IJupyterLabPageFixture } from '@jupyterlab/galata';
import { Page } from '@playwright/test';
import * as fs from 'fs';
import * as path from 'path';

const TMP =
  process.env.GALATA_TMP ??
  path.resolve(__dirname, '..', '.tmp', process.env.GALATA_PORT ?? '8899');
const REPLAY = path.join(TMP, 'nvidia-smi-replay');
const REPLAY_APPS = path.join(TMP, 'nvidia-smi-replay-apps');
const SHARED = path.resolve(
  __dirname,
  '..',
  '..',
  '..',
  'shared',
  'fixtures',
  'nvidia-smi'
);
const OWN = path.resolve(
  __dirname,
  '..',
  '..',
  'tests',
  'fixtures',
  'nvidia-smi'
);

/** The sidebar's root element. */
export const SIDEBAR = '#jp-GpuSession-sidebar';

/** The name of the first GPU card in the sidebar. */
export const GPU_NAME = `${SIDEBAR} .jp-GpuSession-gpuName`;

/** The notebook kernel's PID in the sidebar's kernel section. */
export const KERNEL_PID = `${SIDEBAR} .jp-GpuSession-kernel dt:text-is("PID") + dd`;

/**
 * Make the fake nvidia-smi on the server's PATH replay a recorded Tesla T4
 * output: the real capture in ../shared when it is there (an idle T4), else
 * the project's own hand-written one with the same idle numbers (a clone with
 * no ../shared beside it must see the same GPU: the idle-GPU warning test
 * needs an idle one).
 */
export function replayTeslaT4(): string {
  const real = path.join(SHARED, 'telegraf-tesla-t4.xml');
  if (fs.existsSync(real)) {
    link(REPLAY, real);
    unlink(REPLAY_APPS);
    return real;
  }
  const own = path.join(OWN, 'tesla-t4-idle-query-gpu.csv');
  link(REPLAY, own);
  link(REPLAY_APPS, path.join(OWN, 'tesla-t4-query-compute-apps.csv'));
  return own;
}

/** Make the fake nvidia-smi behave as if no nvidia-smi were installed. */
export function replayNoGpu(): void {
  unlink(REPLAY);
  unlink(REPLAY_APPS);
}

/** The settings plugin of the countdown. */
export const COUNTDOWN_PLUGIN = 'jupyterlab-gpu-session:countdown';

/** Save one plugin's user settings (`{}` puts the defaults back). */
export async function saveSettings(
  page: Page,
  id: string,
  values: object
): Promise<void> {
  await page.evaluate(
    async ([id, raw]) => {
      await window.jupyterapp.serviceManager.settings.save(id, raw);
    },
    [id, JSON.stringify(values)]
  );
}

/**
 * A custom lifetime (minutes) that ends `minutes` from now. A lifetime
 * counts from the Jupyter server's start, which the server part reports;
 * the tests before this one have used up an unknown part of it.
 */
export async function lifetimeEndingIn(
  page: Page,
  minutes: number
): Promise<number> {
  const response = await page.request.get('gpu-session/limits');
  const limits = await response.json();
  const startedAt = Number(limits.server_started_at);
  if (!Number.isFinite(startedAt) || startedAt <= 0) {
    throw new Error(`The server part gave no start time: ${limits}`);
  }
  return (Date.now() / 1000 - startedAt) / 60 + minutes;
}

/** Open the sidebar through the GPU main menu. */
export async function openSidebar(page: IJupyterLabPageFixture): Promise<void> {
  await page.menu.clickMenuItem('GPU>Open GPU Session Sidebar');
  await page.locator(SIDEBAR).waitFor({ state: 'visible' });
}

/** The number of samples the sidebar has received so far. */
export async function sampleCount(
  page: IJupyterLabPageFixture
): Promise<number> {
  const value = await page.locator(SIDEBAR).getAttribute('data-sample-count');
  return Number(value ?? '0');
}

function link(at: string, target: string): void {
  fs.mkdirSync(path.dirname(at), { recursive: true });
  unlink(at);
  fs.symlinkSync(target, at);
}

function unlink(at: string): void {
  try {
    fs.unlinkSync(at);
  } catch {
    // Not there: nothing to remove.
  }
}

/** Make the page look hidden (or visible again) to every poll on it. */
export async function setHidden(page: Page, hidden: boolean): Promise<void> {
  await page.evaluate(value => {
    Object.defineProperty(document, 'hidden', {
      configurable: true,
      get: () => value
    });
    Object.defineProperty(document, 'visibilityState', {
      configurable: true,
      get: () => (value ? 'hidden' : 'visible')
    });
    document.dispatchEvent(new Event('visibilitychange'));
  }, hidden);
}
