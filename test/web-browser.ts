/// <reference lib="dom" />
/**
 * Shared by the web viewer's browser tests: build the viewer, start Debian's Chromium through
 * playwright-core with a fresh profile, log every request the page makes, save screenshots.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { REPO } from './support/tshark.js';

/** Debian's chromium package installs here (CI: .ci/run); TCPSCOPE_CHROMIUM overrides it. */
export const CHROMIUM = process.env.TCPSCOPE_CHROMIUM ?? '/usr/bin/chromium';
export const ARTIFACTS = join(REPO, 'test-artifacts', 'web');

/** Bundle the viewer from the current sources into dist/web (esbuild: about a second). */
export function buildViewer(): void {
  execFileSync(process.execPath, [join(REPO, 'web', 'build.mjs')], { stdio: 'inherit' });
}

export interface Browser {
  ctx: BrowserContext;
  page: Page;
  /** every URL the page asked for */
  requests: string[];
  errors: string[];
  shot(name: string): Promise<void>;
  close(): Promise<void>;
}

export async function launchBrowser(viewport = { width: 1600, height: 1000 }): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'tcpscope-chromium-'));
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true, viewport, acceptDownloads: true, locale: 'en-US',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--no-first-run', '--disable-sync', '--disable-quic'],
  });
  const page = ctx.pages()[0] ?? await ctx.newPage();
  const requests: string[] = [];
  const errors: string[] = [];
  ctx.on('request', (r) => requests.push(r.url()));
  page.on('pageerror', (e) => errors.push(e.message));
  // Console errors too: a Content-Security-Policy violation is reported there.
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
  mkdirSync(ARTIFACTS, { recursive: true });
  return {
    ctx, page, requests, errors,
    shot: async (name) => { await page.screenshot({ path: join(ARTIFACTS, `${name}.png`) }); },
    close: async () => { await ctx.close(); rmSync(profile, { recursive: true, force: true }); },
  };
}

/** Number of captures the page has finished loading so far. */
export async function loads(page: Page): Promise<number> {
  return Number(await page.getAttribute('#status', 'data-loads') ?? '0');
}

/** Wait until the page has finished loading one more capture than `before`. */
export async function loaded(page: Page, before: number, timeout = 30_000): Promise<void> {
  await page.waitForFunction((n) => Number(document.getElementById('status')!.dataset.loads ?? '0') > n, before, { timeout });
}

/** The `read` lines of the packet-list rows on screen, by frame number. */
export async function shownLines(page: Page): Promise<Map<number, string>> {
  const rows = await page.$$eval('#packets .row', (rs) => rs.map((r) => [Number((r as HTMLElement).dataset.frame), (r as HTMLElement).dataset.line ?? ''] as [number, string]));
  return new Map(rows.sort((a, b) => a[0] - b[0]));
}
