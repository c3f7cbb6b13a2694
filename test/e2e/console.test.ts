// End to end in Debian Chromium: the operator logs in, a parcel that needs review arrives, the
// operator holds it with the H key, and the decision is on disk and was signalled to the conveyor.
// Every screen is photographed into test-results/screenshots/. Then 50 parcels at 10 parcels/s give
// the two figures: verdict → parcel on screen, and render time per parcel.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../src/main/storage/audit.ts';
import { expectToastsClearOfControls, launchChromium, logIn } from '../helpers/browser.ts';
import { ROOT } from '../helpers/cli.ts';
import { consoleHarness, type ConsoleHarness } from '../integration/console/harness.ts';

// The page's globals, as seen from page.evaluate callbacks (this file is type-checked without DOM libs).
declare const window: { __consoleMetrics?: { verdictToScreenMs: number[]; renderMs: number[]; shown: number; commitMs: number[] } };

const SHOTS = join(ROOT, 'test-results', 'screenshots');

let h: ConsoleHarness;
let browser: BrowserContext;
const dirs: string[] = [];
const tmp = (p: string) => (dirs.push(mkdtempSync(join(tmpdir(), p))), dirs[dirs.length - 1]!);
let page: Page;

const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`) });
const pct = (xs: number[], q: number) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]! : NaN);

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  // Not tempDir(): that one is emptied after each test, and this station lives through all of them.
  h = await consoleHarness({ dataDir: tmp('console-e2e-') });
  browser = await launchChromium(tmp('chromium-'));
  page = browser.pages()[0] ?? (await browser.newPage());
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await h?.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('the operator console in a browser', () => {
  it('logs in, shows an arriving parcel, and holds it with the H key', async () => {
    await logIn(page, h.url, shot);
    await page.waitForSelector('text=Waiting for parcels');
    await shot('02-line-empty');

    await h.parcel(1, { waybill: 'SF2026112700001', objects: ['phone'] });
    await h.parcel(2, { waybill: 'SF2026112700002', objects: ['phone', 'battery'] });
    await h.parcel(3, { waybill: 'SF2026112700003', objects: ['phone'], uncertain: 'bottle' });
    const current = page.locator('[data-testid=current][data-stage=review]');
    await current.waitFor();
    await expect(page.locator('[data-testid=waybill]').textContent()).resolves.toBe('SF2026112700003');
    await page.locator('[data-testid=xray]').waitFor();
    await shot('03-line-review');

    await page.keyboard.press('h');
    await page.waitForSelector('[data-testid=toast]');
    await expectToastsClearOfControls(page);
    await expect.poll(() => h.sent.find((s) => s.parcelId === 3)?.command).toBe('HOLD');
    const v = h.db.prepare("SELECT v.action, v.decided_by, v.operator_id FROM verdict v JOIN parcel p ON p.scan_id = v.scan_id WHERE p.logistics_no = 'SF2026112700003'").get();
    expect(v).toEqual({ action: 'HOLD', decided_by: 'OPERATOR', operator_id: 'operator' });
    expect(h.sent.find((s) => s.parcelId === 3)?.verdictAtSend).toBe('HOLD');
    const audit = h.db.prepare("SELECT actor FROM audit_log WHERE kind = 'console.decide'").all();
    expect(audit).toEqual([{ actor: 'operator:operator' }]);
    expect(verifyAuditChain(h.db).ok).toBe(true);
    await shot('04-line-after-hold');
  });

  it('asks for a reason before releasing against the machine, and refuses HOLD_LOCK to an operator', async () => {
    await h.parcel(4, { waybill: 'SF2026112700004', objects: ['phone'], uncertain: 'aerosol' });
    await page.locator('[data-testid=current][data-stage=review]').waitFor();
    await page.keyboard.press('r');
    await page.locator('[data-testid=reason]').waitFor();
    await shot('05-release-reason');
    await page.keyboard.press('Escape');
    await page.keyboard.press('l');
    await expect.poll(() => page.locator('[data-testid=toast]').last().textContent()).toContain('HOLD LOCK needs a supervisor');
    await expectToastsClearOfControls(page);
    await page.keyboard.press('r');
    await page.fill('[data-testid=reason]', 'opened: hair spray is declared as cosmetics');
    await page.keyboard.press('Enter');
    await expect.poll(() => h.sent.find((s) => s.parcelId === 4)?.command).toBe('RELEASE');
    const d = h.db.prepare('SELECT reason FROM operator_decision ORDER BY id DESC LIMIT 1').get();
    expect(d).toEqual({ reason: 'opened: hair spray is declared as cosmetics' });
  });

  it('shows parcel detail with image tools, history, statistics, devices and labelling', async () => {
    await page.locator('[data-testid=recent] li').first().click();
    await page.locator('[data-testid=detail]').waitFor();
    await page.locator('[data-testid=audit] tr').first().waitFor();
    await shot('06-detail');
    await page.keyboard.press('o');
    await page.keyboard.press('e');
    await shot('07-detail-organic-edges');
    await page.keyboard.press('0');
    await page.keyboard.press('Escape');
    await page.keyboard.press('2');
    await page.locator('[data-testid=history] tbody tr').nth(3).waitFor();
    await shot('08-history');
    const download = page.waitForEvent('download');
    await page.keyboard.press('x');
    const csv = await download;
    expect(csv.suggestedFilename()).toMatch(/^history-.*\.csv$/);
    await page.keyboard.press('3');
    await page.locator('[data-testid=stats]').waitFor();
    await shot('09-statistics');
    await page.keyboard.press('4');
    await page.locator('[data-testid=devices] td').first().waitFor();
    await shot('10-devices');
    await page.keyboard.press('5');
    await page.locator('[data-testid=labelling]').waitFor();
    await page.keyboard.press('y');
    await page.waitForSelector('text=Label saved');
    await shot('11-labelling');
    expect(h.db.prepare("SELECT kind, by_account FROM label").all()).toEqual([{ kind: 'confirm', by_account: 'operator' }]);
    await page.getByTestId('lang').click();
    await page.keyboard.press('1');
    await shot('12-line-zh-CN');
    await page.getByTestId('lang').click();
  });

  it('keeps up with 10 parcels/s: verdict to screen and render time per parcel', async () => {
    await page.keyboard.press('1');
    await page.evaluate(() => {
      window.__consoleMetrics = { verdictToScreenMs: [], renderMs: [], shown: 0, commitMs: [] };
    });
    const N = 50;
    const imageRequests: string[] = [];
    page.on('requestfinished', (r) => {
      if (/\/api\/images\/[0-9a-f]{64}$/.test(r.url())) imageRequests.push(r.url());
    });
    const feeds = [];
    for (let i = 0; i < N; i++) feeds.push(await h.prepare(100 + i, { waybill: `SF20261127${String(100 + i).padStart(5, '0')}`, objects: i % 3 === 0 ? ['phone', 'shoes'] : ['phone'] }));
    const start = Date.now();
    for (let i = 0; i < N; i++) {
      feeds[i]!();
      await new Promise((r) => setTimeout(r, Math.max(0, start + (i + 1) * 100 - Date.now())));
    }
    await expect.poll(() => h.sent.filter((s) => s.parcelId >= 100).length, { timeout: 10_000 }).toBe(N);
    await new Promise((r) => setTimeout(r, 500));
    const m = await page.evaluate(() => window.__consoleMetrics!);
    await shot('13-line-10pps');
    const line = (name: string, xs: number[]) => `${name}: n=${xs.length} p50=${pct(xs, 0.5).toFixed(1)} ms p95=${pct(xs, 0.95).toFixed(1)} ms max=${Math.max(...xs).toFixed(1)} ms`;
    process.stdout.write(
      `\nFIGURES (10 parcels/s, ${N} parcels, Chromium headless, images over GET /api/images)\n  ${line('verdict → parcel with image on screen', m.verdictToScreenMs)}\n  ${line('render per parcel (received → image painted)', m.renderMs)}\n  ${line('render per parcel (received → facts committed)', m.commitMs)}\n  parcels painted with their image: ${m.shown}/${N}; image requests over HTTP: ${imageRequests.length}\n`,
    );
    // A parcel is on screen only with its decoded image, so "shown" means image, boxes and verdict
    // painted together. The view trails the line by one image decode: it may skip a parcel whose
    // successor's image was ready in the same frame, never freezes, and stays well inside a second
    // (bounds loose enough for a loaded 2-core CI machine; the figures printed above are the result).
    expect(m.shown).toBeGreaterThanOrEqual(N / 2);
    expect(pct(m.verdictToScreenMs, 0.5)).toBeLessThan(500);
    expect(pct(m.verdictToScreenMs, 0.95)).toBeLessThan(1000);
    expect(imageRequests.length).toBeGreaterThanOrEqual(N);
  }, 60_000);

  it('shows a parcel whose scanner sent a raw netpbm frame (served to the browser as PNG)', async () => {
    const served: { type: string | undefined; status: number }[] = [];
    page.on('response', (r) => {
      if (/\/api\/images\/[0-9a-f]{64}$/.test(r.url())) served.push({ type: r.headers()['content-type'], status: r.status() });
    });
    await h.parcel(300, { waybill: 'SF2026112700300', objects: ['phone'], uncertain: 'knife', frame: 'pnm' });
    await expect.poll(() => page.locator('[data-testid=waybill]').textContent()).toBe('SF2026112700300');
    const img = page.locator('[data-testid=xray]');
    await img.waitFor();
    await expect.poll(() => img.evaluate((e) => (e as unknown as { naturalWidth: number }).naturalWidth)).toBe(960);
    expect(h.db.prepare("SELECT i.format FROM image i JOIN parcel p ON p.image_sha256 = i.sha256 WHERE p.logistics_no = 'SF2026112700300'").get()).toEqual({ format: 'pnm' });
    expect(served.at(-1)).toEqual({ type: 'image/png', status: 200 });
    await shot('14-line-raw-frame');
  });
});
