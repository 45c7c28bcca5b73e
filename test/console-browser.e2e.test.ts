/**
 * The console in a real headless Chromium (Debian's /usr/bin/chromium driven by playwright-core),
 * against `vigil start` on the memory bus collecting this machine, with the memory-hog demo: the
 * node's score drops on the overview, the report naming the hog opens (and reloads by its address),
 * the node page plots the anomaly, and a silence is created, listed and expired through the page.
 * Saves a screenshot of the overview to .vigil/console-overview.png.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { freePort, repoRoot, spawnVigil, type VigilProcess } from './support/vigil-process.js';

const chromiumPath = '/usr/bin/chromium';
const node = 'console-e2e';
const screenshot = path.join(repoRoot, '.vigil', 'console-overview.png');
/** Generous: two cores shared with other work. Waits are on conditions, so a fast machine is not slowed. */
const slowMs = 45_000;

let pipeline: VigilProcess | undefined;
let hog: VigilProcess | undefined;
let browser: Browser | undefined;
let base = '';

beforeAll(async () => {
  if (!existsSync(chromiumPath)) throw new Error(`${chromiumPath} is missing: run .ci/install-chromium.sh (apt-get install chromium)`);
  const port = await freePort();
  pipeline = spawnVigil(['start'], { VIGIL_BUS: 'memory', VIGIL_INTERVAL_MS: '500', VIGIL_HTTP_PORT: String(port), VIGIL_NODE: node, VIGIL_LOG_LEVEL: 'warn', VIGIL_KMSG_BACKLOG: 'skip' });
  [browser] = await Promise.all([
    chromium.launch({ executablePath: chromiumPath, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] }),
    pipeline.waitForLine((line) => line === `console: http://127.0.0.1:${port}/`, 60_000),
  ]);
  base = `http://127.0.0.1:${port}`;
}, 90_000);

afterAll(async () => {
  await browser?.close();
  hog?.kill('SIGKILL');
  pipeline?.kill('SIGKILL');
  await Promise.all([hog?.exited(), pipeline?.exited()]);
});

/** The score shown in the worst-nodes table for our node, or undefined while it has none. */
async function shownNodeScore(page: Page): Promise<number | undefined> {
  const text = await page.locator(`#worst-nodes tr[data-node="local/${node}"] [data-score]`).first().getAttribute('data-score', { timeout: 1_000 }).catch(() => null);
  return text ? Number(text) : undefined;
}

test('a memory hog shows on the console: the score drops, the report names it, a silence is created and expired', async () => {
  const page = await browser!.newPage({ viewport: { width: 1366, height: 900 } });
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto(`${base}/`);
  await page.getByRole('link', { name: 'Overview' }).waitFor();
  await page.locator('#open-anomalies').waitFor({ timeout: slowMs });

  // The detector's windows fill with this machine's normal behaviour first (it judges after 10 points).
  await page.waitForTimeout(6_000);
  hog = spawnVigil(['demo', 'memory-hog', '--rate', '60', '--cap', '1500', '--seconds', '120']);
  const pid = Number(await hog.waitForLine((line) => /^\d+$/.test(line.trim()), 30_000));

  // The node's score drops on the overview, live (the page polls; no reload).
  await expect.poll(() => shownNodeScore(page), { timeout: 60_000, interval: 500 }).toBeLessThan(100);

  // The report that names the hog appears on the Reports page; it opens on its own address.
  await page.getByRole('link', { name: 'Reports', exact: true }).click();
  const reportLink = page.locator('table.reports tr[data-report]', { hasText: `pid ${pid}` }).getByRole('link').first();
  await reportLink.waitFor({ timeout: 60_000 });
  await reportLink.click();
  await page.waitForURL(/\/reports\/[0-9a-f]+$/);
  const report = page.locator('article.report');
  await expect.poll(() => report.locator('.root-cause').textContent(), { timeout: slowMs }).toContain('MEMORY_LEAK_PROCESS');
  expect(await report.locator('.summary').textContent()).toContain(`pid ${pid}`);
  expect(await report.locator('table.evidence tbody tr').count()).toBeGreaterThan(0);
  expect(await report.locator('ol.suggestions li').count()).toBeGreaterThan(0);
  const reportUrl = page.url();
  await page.reload();
  await expect.poll(() => page.locator('article.report .summary').textContent(), { timeout: slowMs }).toContain(`pid ${pid}`);
  expect(page.url()).toBe(reportUrl);

  // The node page: the hog's report among what costs the node points, anomalies on the timeline,
  // the chosen one plotted (uPlot canvas) against its band, the report listed.
  await page.locator('article.report').getByRole('link', { name: new RegExp(node) }).click();
  await page.waitForURL(new RegExp(`/nodes/local/${node}$`));
  await expect.poll(() => page.locator('#node-health table.items').textContent(), { timeout: slowMs }).toContain(`pid ${pid}`);
  await page.locator('#anomalies .timeline-row').first().waitFor({ timeout: slowMs });
  await page.locator('.anomaly-detail .chart canvas').waitFor({ timeout: slowMs });
  expect(Number(await page.locator('.anomaly-detail .chart').getAttribute('data-points'))).toBeGreaterThan(0);
  await expect.poll(() => page.locator('#node-reports tr[data-report]', { hasText: `pid ${pid}` }).count(), { timeout: slowMs }).toBeGreaterThan(0);

  // Back on the overview: the screenshot for people to look at.
  await page.getByRole('link', { name: 'Overview' }).click();
  await page.locator('section.cluster .chart canvas').waitFor({ timeout: slowMs });
  await page.screenshot({ path: screenshot, fullPage: true });

  // The nodes table sorts by a column.
  await page.getByRole('link', { name: 'Nodes' }).click();
  await page.locator(`table.nodes tr[data-node="local/${node}"]`).waitFor();
  await page.getByRole('button', { name: /Open anomalies/ }).click();
  expect(await page.locator('table.nodes th[aria-sort="descending"]').textContent()).toContain('Open anomalies');

  // Silences come from the notifier's API on the same port; the page lists, creates and expires them.
  const silencesApi = await fetch(`${base}/api/silences`);
  if (silencesApi.status !== 200) {
    throw new Error(`GET /api/silences answered ${silencesApi.status}: the notifier's silences API is not served on the host, so the console cannot create silences (${await silencesApi.text()})`);
  }
  await page.getByRole('link', { name: 'Silences' }).click();
  await page.locator('form.silence-form').waitFor();
  // The notification history lists what the notifier did with the hog's report.
  const reportPath = new URL(reportUrl).pathname;
  await page.locator(`#notifications tr[data-notification] a[href="${reportPath}"]`).first().waitFor({ timeout: slowMs });
  const comment = `console e2e ${Date.now()}`;
  await page.locator('textarea[name="matchers"]').fill(`node=${node}`);
  await page.locator('input[name="duration"]').fill('1h');
  await page.locator('input[name="createdBy"]').fill('console-e2e');
  await page.locator('input[name="comment"]').fill(comment);
  await page.getByRole('button', { name: 'Create silence' }).click();
  const row = page.locator('table.silences tr[data-silence]', { hasText: comment });
  await row.waitFor({ timeout: slowMs });
  expect(await row.getAttribute('data-status')).toBe('active');
  expect(await row.locator('code').first().textContent()).toMatch(new RegExp(`^node="?${node}"?$`));
  await row.getByRole('button', { name: 'Expire' }).click();
  await expect.poll(() => row.getAttribute('data-status'), { timeout: slowMs }).toBe('expired');

  expect(pageErrors).toEqual([]);
  expect(existsSync(screenshot)).toBe(true);
}, 150_000);
