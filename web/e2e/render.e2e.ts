// How fast the graphs draw: the community map and the largest community's graph with up
// to 2,000 members, first paint (request to first frame on screen) and frames per second
// while the view is dragged. Recorded in timings-render.json, never asserted against a
// clock (benchmarks/explorer.py runs this against the 100k-customer demo store).
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BASE, KEYS, launch, rendered, saveTimings, signIn, takeTimings, watchedPage } from "./browser";

let browser: Browser;
const results: unknown[] = [];

beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  saveTimings("render", results);
  await browser.close();
});

/** Frames drawn in one second while the mouse drags the graph across its container. */
async function dragFps(page: Page, testid: string): Promise<number> {
  const box = await page.locator(`[data-testid=${testid}]`).boundingBox();
  if (!box) throw new Error(`${testid} has no box`);
  const counting = page.evaluate(
    () =>
      new Promise<number>((resolve) => {
        let frames = 0;
        const start = performance.now();
        const tick = (): void => {
          frames += 1;
          if (performance.now() - start < 1000) requestAnimationFrame(tick);
          else resolve((frames * 1000) / (performance.now() - start));
        };
        requestAnimationFrame(tick);
      }),
  );
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  await page.mouse.move(cx, cy);
  await page.mouse.down();
  for (let i = 0; i < 20; i++) await page.mouse.move(cx + 10 * i, cy + 4 * i);
  await page.mouse.up();
  return counting;
}

describe("rendering", () => {
  it("draws the community map and a community of up to 2,000 members", async () => {
    const { page, problems } = await watchedPage(browser);
    await signIn(page, KEYS.admin, "/communities");
    await rendered(page, "community-map");
    results.push(...(await takeTimings(page)), { name: "community-map drag", fps: await dragFps(page, "community-map") });
    const largest = await page.textContent("[data-testid=community-table] tbody tr td a");
    const id = (largest ?? "").replace("#", "");
    expect(id).toMatch(/^\d+$/);
    await page.goto(`${BASE}/communities/${id}?limit=2000`);
    await rendered(page, "community-graph");
    results.push(...(await takeTimings(page)), { name: "community-graph drag", fps: await dragFps(page, "community-graph") });
    expect(problems).toEqual([]);
    await page.context().close();
  });
});
