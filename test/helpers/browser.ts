// Debian's Chromium for the console E2E tests: one launch recipe (fresh profile, no network
// side-traffic, a 1920×1080 line monitor) and the layout check both suites make on toasts.
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { expect } from 'vitest';

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export function launchChromium(userDataDir: string): Promise<BrowserContext> {
  return chromium.launchPersistentContext(userDataDir, { executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, viewport: { width: 1920, height: 1080 }, acceptDownloads: true });
}

interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
  text: string;
}

// Evaluated in the page as source text: this file is type-checked without the DOM library.
const RECTS = `(() => {
  const r = (sel) => [...document.querySelectorAll(sel)].map((e) => { const b = e.getBoundingClientRect(); return { x: b.x, y: b.y, width: b.width, height: b.height, text: e.textContent }; });
  return { toasts: r('[data-testid=toast]'), controls: [...r('.actions .act'), ...r('[data-testid=current] [data-testid=countdown]')] };
})()`;

const overlaps = (a: Rect, b: Rect) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

/** Toasts on screen must not cover the decision buttons or the countdown (the operator acts on them while a toast shows). */
export async function expectToastsClearOfControls(page: Page): Promise<void> {
  // One snapshot of the layout: a toast may expire between two separate queries.
  const { toasts, controls } = (await page.evaluate(RECTS)) as { toasts: Rect[]; controls: Rect[] };
  expect(toasts.length, 'a toast is on screen').toBeGreaterThan(0);
  expect(controls.length, 'decision buttons are on screen').toBeGreaterThan(0);
  for (const t of toasts) for (const c of controls) expect(overlaps(t, c), `toast "${t.text}" ${JSON.stringify(t)} covers "${c.text}" ${JSON.stringify(c)}`).toBe(false);
}

/** Logs in on the console's login screen and waits for the signed-in header. */
export async function logIn(page: Page, url: string, shot: (name: string) => Promise<unknown>, user = 'operator', password = user): Promise<void> {
  await page.goto(url);
  await page.waitForSelector('input[name=username]');
  await shot('01-login');
  await page.fill('input[name=username]', user);
  await page.fill('input[name=password]', password);
  await page.keyboard.press('Enter');
  await page.waitForSelector('[data-testid=user]');
}
