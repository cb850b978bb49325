/**
 * The web page in headless Chromium (Debian's /usr/bin/chromium driven by playwright-core; no browser download).
 * Skipped only outside CI when Chromium is missing; in CI (process.env.CI) a missing browser fails the test.
 * DOCS_SCREENSHOT=1 also writes the README's docs/web-page.png.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyLocalGeneration } from '../fixtures/local-generation';
import { startServer, type RunningServer } from './server-harness';

const CHROMIUM = '/usr/bin/chromium';
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const OUTPUT = `${ROOT}test-output`;
const available = existsSync(CHROMIUM);
const skip = !available && !process.env.CI;
if (skip) console.warn(`browser test skipped: ${CHROMIUM} is missing (install it with: apt-get install --no-install-recommends chromium)`);

describe.skipIf(skip)('web page in headless Chromium', () => {
  let browser: Browser;
  let server: RunningServer;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    if (!available) throw new Error(`${CHROMIUM} is missing; CI must install Debian's chromium (see .ci/run)`);
    const fixture = await copyLocalGeneration();
    cleanup = fixture.cleanup;
    [server, browser] = await Promise.all([
      startServer(fixture.stateDir),
      chromium.launch({
        executablePath: CHROMIUM,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-quic'],
      }),
    ]);
    await mkdir(OUTPUT, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await cleanup?.();
  });

  it('searches as neon-punk-user, shows style, subject and why, and refreshes after a favourite', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(message.text());
    });
    page.on('response', (response) => {
      if (response.status() >= 400) pageErrors.push(`${response.status()} ${response.url()}`);
    });
    await page.goto(server.baseUrl);
    await page.locator('#grid .card').first().waitFor();

    await page.locator('#user-select').selectOption('neon-punk-user');
    await page.locator('#query').fill('cat');
    const searched = page.waitForResponse((r) => r.url().includes('/search?') && r.url().includes('userId=neon-punk-user'));
    await page.locator('#search-form button[type=submit]').click();
    expect((await searched).status()).toBe(200);
    await expect.poll(() => page.locator('#user-line').textContent()).toMatch(/^neon-punk-user: personalised at weight 0\.75/);

    const cards = page.locator('#grid .card');
    expect(await cards.count()).toBe(20);
    const shown = await cards.evaluateAll((elements) =>
      elements.map((card) => ({
        imageId: card.getAttribute('data-image-id') ?? '',
        style: card.querySelector('.style')?.textContent ?? '',
        subject: card.querySelector('.subject')?.textContent ?? '',
        why: card.querySelector('.why')?.textContent ?? '',
      })),
    );
    for (const card of shown) {
      expect(card.imageId).toBe(`${card.style}-${card.subject}-${card.imageId.slice(-3)}`);
      expect(card.why).toMatch(/^similarity \d\.\d\d · preference \d\.\d\d \(cluster \d+\)/);
    }
    // The named user likes neon-punk: it leads the grid.
    expect(shown.slice(0, 10).filter((c) => c.style === 'neon-punk').length).toBeGreaterThanOrEqual(5);
    await expect.poll(() => page.locator('#grid img').evaluateAll((imgs) => imgs.every((img) => (img as unknown as { naturalWidth: number }).naturalWidth > 0))).toBe(true);
    await expect.poll(() => page.locator('#status').textContent()).toMatch(/^20 results from generation gen-fixture in \d+ ms$/);
    await page.screenshot({ path: `${OUTPUT}/web-page-search.png`, fullPage: true });
    if (process.env.DOCS_SCREENSHOT) await page.screenshot({ path: `${ROOT}docs/web-page.png` });

    // Favourite the first non-neon-punk card; the page records the event, then searches again.
    const target = shown.find((c) => c.style !== 'neon-punk') ?? (shown[0] as (typeof shown)[number]);
    const card = page.locator(`#grid .card[data-image-id="${target.imageId}"]`);
    const event = page.waitForResponse((r) => r.url().endsWith('/events') && r.request().method() === 'POST');
    const refreshed = page.waitForResponse((r) => r.url().includes('/search?'));
    await card.getByRole('button', { name: 'favorite' }).click();
    expect((await event).status()).toBe(202);
    expect(JSON.parse((await event).request().postData() ?? '{}')).toMatchObject({ userId: 'neon-punk-user', imageId: target.imageId, eventType: 'favorite' });
    expect((await refreshed).status()).toBe(200);
    // The grid was rebuilt: the clicked card (outlined) was replaced by fresh cards.
    await expect.poll(() => page.locator('#grid .card.clicked').count()).toBe(0);
    expect(await page.locator('#grid .card').count()).toBe(20);
    const movedCard = page.locator(`#grid .card[data-image-id="${target.imageId}"] .why`);
    if ((await movedCard.count()) > 0) expect(await movedCard.textContent()).toMatch(/preference/);

    await page.screenshot({ path: `${OUTPUT}/web-page-after-favorite.png`, fullPage: true });
    expect(pageErrors).toEqual([]);
    await page.close();
  });
});
