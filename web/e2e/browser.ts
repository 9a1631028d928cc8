// Shared setup of the browser tests: Debian's Chromium via playwright-core, a page that
// records console errors and any request that leaves the server, sign-in, screenshots.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import type {} from "../src/graph";

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the browser tests through tests/e2e/test_explorer_browser.py`);
  return value;
}

export const BASE = required("EXPLORER_URL");
export const KEYS = {
  reader: required("KEY_READER"),
  marketer: required("KEY_MARKETER"),
  admin: required("KEY_ADMIN"),
  pii: required("KEY_PII"),
};
const SHOTS = required("SCREENSHOTS");

export async function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      // WebGL (sigma.js) in software: SwiftShader through ANGLE
      "--use-angle=swiftshader",
      "--enable-unsafe-swiftshader",
    ],
  });
}

export interface Watched {
  page: Page;
  problems: string[];
}

/** A page that notes console errors, uncaught exceptions, failed API calls that were
 * not expected, and requests to anywhere but the server. */
export async function watchedPage(browser: Browser, expectedStatuses: number[] = []): Promise<Watched> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, acceptDownloads: true });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("console", (message) => {
    // failed responses are judged by status below (Chromium also logs each as an error)
    if (message.type() === "error" && !message.text().startsWith("Failed to load resource")) problems.push(`console error: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("request", (request) => {
    const url = request.url();
    if (!url.startsWith(BASE) && !url.startsWith("data:") && !url.startsWith("blob:")) problems.push(`request off the server: ${url}`);
  });
  page.on("response", (response) => {
    if (response.status() >= 400 && !expectedStatuses.includes(response.status())) problems.push(`HTTP ${String(response.status())} for ${response.url()}`);
  });
  return { page, problems };
}

export async function signIn(page: Page, key: string, path = "/"): Promise<void> {
  await page.goto(BASE + path);
  await page.waitForSelector("[data-testid=key]");
  await page.fill("[data-testid=key]", key);
  await page.click("[data-testid=signin]");
  await page.waitForSelector("[data-testid=who]");
}

export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

export function saveTimings(name: string, timings: unknown): void {
  mkdirSync(SHOTS, { recursive: true });
  writeFileSync(join(SHOTS, `timings-${name}.json`), JSON.stringify(timings, null, 2));
}

/** The drawings' render times recorded by the page so far (and forget them). */
export async function takeTimings(page: Page): Promise<unknown[]> {
  return page.evaluate(() => {
    const taken = window.__explorerTimings ?? [];
    window.__explorerTimings = [];
    return taken;
  });
}

/** Wait until the sigma drawing in `testid` has painted its first frame. */
export async function rendered(page: Page, testid: string): Promise<void> {
  await page.waitForSelector(`[data-testid=${testid}][data-rendered=true]`, { timeout: 60_000 });
  // a WebGL canvas was created and has a size
  const size = await page.$eval(`[data-testid=${testid}] canvas`, (c) => [(c as HTMLCanvasElement).width, (c as HTMLCanvasElement).height]);
  if (!(size[0] && size[1])) throw new Error(`${testid}: empty canvas`);
}
