// The explorer as a person uses it, in Chromium against a real `graph-engine serve`.
import { readFileSync } from "node:fs";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BASE, KEYS, launch, rendered, saveTimings, shot, signIn, takeTimings, watchedPage } from "./browser";

let browser: Browser;
const timings: unknown[] = [];

beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  saveTimings("explorer", timings);
  await browser.close();
});

async function download(page: import("playwright-core").Page, selector: string): Promise<string> {
  const [file] = await Promise.all([page.waitForEvent("download"), page.click(selector)]);
  const path = await file.path();
  return readFileSync(path, "utf8");
}

function csvRows(text: string): string[] {
  return text.split("\r\n").filter(Boolean);
}

describe("a marketer", () => {
  it("signs in, explores, shortlists, plans and exports", async () => {
    const { page, problems } = await watchedPage(browser, [401]);

    // sign-in: a wrong key is refused with a message; the right one lands on the overview
    await page.goto(`${BASE}/communities`);
    await page.waitForSelector("[data-testid=key]");
    expect(new URL(page.url()).pathname).toBe("/signin");
    await page.fill("[data-testid=key]", "ge_wrong_key");
    await page.click("[data-testid=signin]");
    await page.waitForSelector("text=That key is not valid");
    await shot(page, "signin");
    await page.fill("[data-testid=key]", KEYS.marketer);
    await page.click("[data-testid=signin]");
    // back to where the visitor was going
    await rendered(page, "community-map");
    expect(new URL(page.url()).pathname).toBe("/communities");
    expect(await page.evaluate(() => sessionStorage.length)).toBeGreaterThan(0);
    expect(await page.evaluate(() => localStorage.length)).toBe(0); // the key is not kept beyond the session

    // overview
    await page.click("nav >> text=Overview");
    await page.waitForSelector("[data-testid=run]");
    expect(await page.textContent("[data-testid=run-engine]")).toContain("python");
    expect(await page.locator("[data-testid=tiers] tbody tr").count()).toBeGreaterThan(1);
    expect(await page.locator("[data-testid=top-kol] tbody tr").count()).toBeGreaterThan(0);
    expect(await page.textContent("[data-testid=ingest]")).toContain(".jsonl");
    await shot(page, "overview");

    // the community map, then search for a person and land on their community
    await page.click("nav >> text=Communities");
    await rendered(page, "community-map");
    expect(await page.textContent("[data-testid=map-cap]")).toMatch(/communities/);
    await shot(page, "community-map");
    const firstCommunity = await page.textContent("[data-testid=community-table] tbody tr td a");
    await page.click("[data-testid=community-table] tbody tr td a");
    await rendered(page, "community-graph");
    expect(await page.textContent("h1")).toBe(`Community ${firstCommunity ?? ""}`);
    expect(await page.textContent("[data-testid=graph-cap]")).toMatch(/relationships/);
    // a segment's lift, then the members as CSV
    await page.fill("[data-testid=lift-segment]", "foodie");
    await page.click("text=Compute lift");
    await page.waitForSelector("[data-testid=lift-result]");
    expect(await page.locator("[data-testid=lift-table] thead th").allTextContents()).toContain("q");
    await shot(page, "community");
    const members = csvRows(await download(page, "[data-testid=export-members]"));
    const size = Number((await page.locator("[data-testid=community-profile] .stat-value").first().textContent())?.replace(/,/g, ""));
    expect(members[0]).toBe("customer_id,name,tier,tier_level,social_value,influence,expected_reach,audience,participation,revenue,bridge,conversions,tier_reason");
    expect(members.length - 1).toBe(size);

    // three key influencers onto the shortlist, then follow one to the customer page
    const buttons = page.locator("[data-testid=key-influencers] button");
    const wanted = Math.min(3, await buttons.count());
    for (let i = 0; i < wanted; i++) await buttons.nth(i).click();
    await page.click("[data-testid=key-influencers] tbody tr td a");
    await rendered(page, "ego-graph");
    expect(await page.textContent("[data-testid=ego-cap]")).toMatch(/capped at 200 people/);
    expect(await page.isVisible("[data-testid=pii-hidden]")).toBe(true);
    expect(await page.locator("[data-testid=history] tbody tr").count()).toBe(2);
    // social value in money, each part with the numbers behind it
    expect(await page.textContent("[data-testid=social-value]")).toMatch(/^¥[\d,]+/);
    expect(await page.textContent("[data-testid=value-explained]")).toMatch(/social value in total.*own.*audience/s);
    await shot(page, "customer");

    // the planner: filter, shortlist evaluation with the overlap matrix, seeds, export
    await page.click("nav >> text=Planner");
    await page.waitForSelector("[data-testid=finder-results]");
    await page.selectOption("[data-testid=filter-tier]", "kol");
    await page.click("[data-testid=find]");
    await page.waitForURL(/tier=kol/);
    await page.waitForSelector("[data-testid=finder-results]");
    const tiers = await page.locator("[data-testid=finder-results] tbody .badge").allTextContents();
    expect(tiers.length).toBeGreaterThan(0);
    expect(tiers.every((t) => t.startsWith("KOL"))).toBe(true);
    expect(await page.locator("[data-testid=shortlist] li").count()).toBe(wanted);
    await page.click("[data-testid=evaluate-shortlist]");
    await page.waitForSelector("[data-testid=shortlist-report]", { timeout: 60_000 });
    expect(await page.locator("[data-testid=overlap-matrix] tbody tr").count()).toBe(wanted);
    expect(await page.isVisible("[data-testid=shortlist-reach-by-hop]")).toBe(true);
    await page.selectOption("[data-testid=seed-mode]", "budget");
    await page.fill("[data-testid=seed-amount]", "2000");
    await page.fill("[data-testid=seed-tiers]", "kol,koc");
    await page.click("[data-testid=select-seeds]");
    await page.waitForSelector("[data-testid=seed-plan]", { timeout: 120_000 });
    expect(await page.textContent("[data-testid=plan-cost]")).toMatch(/of ¥2,000/);
    const seeds = await page.locator("[data-testid=seed-table] tbody tr").count();
    expect(seeds).toBeGreaterThan(0);
    expect(await page.isVisible("[data-testid=plan-reach-by-hop]")).toBe(true);
    await shot(page, "planner");
    const plan = csvRows(await download(page, "[data-testid=export-plan]"));
    expect(plan[0]).toBe("rank,id,name,tier,cost,marginal_gain,tier_reason");
    expect(plan).toHaveLength(seeds + 2);
    const total = plan.at(-1)?.split(",") ?? [];
    expect(total[1]).toBe("TOTAL");
    expect(Number(total[4])).toBeLessThanOrEqual(2000);
    // keep it as a campaign: its page opens, nothing has happened yet
    await page.fill("[data-testid=campaign-id]", "autumn");
    await page.click("[data-testid=save-campaign]");
    await page.waitForURL(/\/campaigns\/autumn$/);
    await page.waitForSelector("[data-testid=campaign-actual]");
    expect(await page.textContent("[data-testid=actual-conversions]")).toMatch(/^0 of/);
    // a campaign that ran: actuals as the API reports them, charts, per-seed export
    await page.click("nav >> text=Campaigns");
    await page.waitForSelector("[data-testid=campaign-plans]");
    await page.click("[data-testid=campaign-plans] >> text=spring");
    await page.waitForSelector("[data-testid=planned-actual]");
    const spring = await page.evaluate(async (key) => {
      const response = await fetch("/v1/campaigns/spring/report", { headers: { "X-API-Key": key } });
      return (await response.json()) as { actual: { reached: number; conversions: number } };
    }, KEYS.marketer);
    expect(spring.actual.conversions).toBeGreaterThan(0);
    expect(await page.textContent("[data-testid=actual-reached]")).toContain(spring.actual.reached.toLocaleString("en"));
    await shot(page, "campaign");
    const report = csvRows(await download(page, "[data-testid=export-report]"));
    expect(report[0]).toBe("seed,cost,reached,conversions,revenue");
    expect(report.at(-1)?.split(",")[2]).toBe(String(spring.actual.reached));

    // referrals: campaigns, charts, trees
    await page.click("nav >> text=Referrals");
    await rendered(page, "referral-trees");
    expect(await page.isVisible("[data-testid=k-chart]")).toBe(true);
    expect(await page.textContent("[data-testid=trees-cap]")).toMatch(/largest of \d+ trees/);
    await shot(page, "referrals");

    // a shared link opens the same view
    timings.push(...(await takeTimings(page)));
    const shared = page.url();
    await page.goto(shared);
    await rendered(page, "referral-trees");

    timings.push(...(await takeTimings(page)));
    expect(problems).toEqual([]);
    await page.context().close();
  });
});

describe("a reader", () => {
  it("sees no planning and is refused by the server when trying anyway", async () => {
    const { page, problems } = await watchedPage(browser, [403]);
    await signIn(page, KEYS.reader);
    await page.waitForSelector("[data-testid=run]");
    expect(await page.locator("nav >> text=Planner").count()).toBe(0);
    expect(await page.locator("nav >> text=Referrals").count()).toBe(0);
    await shot(page, "reader-overview");
    await page.goto(`${BASE}/planner`);
    await page.waitForSelector("text=may not plan");
    // on a community page the lift form is absent
    await page.goto(`${BASE}/communities`);
    await rendered(page, "community-map");
    await page.click("[data-testid=community-table] tbody tr td a");
    await rendered(page, "community-graph");
    expect(await page.locator("[data-testid=lift-segment]").count()).toBe(0);
    // the server enforces it whatever the page shows
    const status = await page.evaluate(async (key) => {
      const response = await fetch("/v1/seeds:select", { method: "POST", headers: { "X-API-Key": key, "Content-Type": "application/json" }, body: JSON.stringify({ k: 3 }) });
      return response.status;
    }, KEYS.reader);
    expect(status).toBe(403);
    expect(problems).toEqual([]);
    await page.context().close();
  });
});

describe("an admin", () => {
  it("recomputes from the overview and watches the job's progress", async () => {
    const { page, problems } = await watchedPage(browser);
    await signIn(page, KEYS.admin);
    const before = await page.textContent("[data-testid=run-seq]");
    const statuses: string[] = [];
    page.on("response", (response) => {
      if (response.url().includes("/v1/jobs/")) statuses.push(response.url());
    });
    await page.click("[data-testid=recompute]");
    await page.waitForFunction((old) => document.querySelector("[data-testid=run-seq]")?.textContent !== old, before, { timeout: 120_000 });
    const after = await page.textContent("[data-testid=run-seq]");
    expect(Number(after?.slice(1))).toBe(Number(before?.slice(1)) + 1);
    expect(statuses.length).toBeGreaterThan(0); // it polled the job
    expect(problems).toEqual([]);
    await page.context().close();
  });
});

describe("a PII key", () => {
  it("sees identity values on the customer page", async () => {
    const { page, problems } = await watchedPage(browser);
    await signIn(page, KEYS.pii, "/planner");
    await page.waitForSelector("[data-testid=finder-results]");
    await page.click("[data-testid=finder-results] tbody tr td a");
    await rendered(page, "ego-graph");
    expect(await page.locator("[data-testid=pii-hidden]").count()).toBe(0);
    expect(await page.textContent("[data-testid=profile]")).toMatch(/wechat|weibo|crm|external/);
    expect(problems).toEqual([]);
    await page.context().close();
  });
});
