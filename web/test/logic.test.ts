// Unit tests of the explorer's front-end logic (no browser, no server).
import { describe, expect, it } from "vitest";
import { hopBars, layoutBars } from "../src/chart";
import { revenueColor, sizeFor, tierColor, UNSCORED } from "../src/colors";
import { field, toCsv } from "../src/csv";
import { count, interval, money, percent, score, when } from "../src/format";
import { buildGraph, layoutIterations, seedPosition } from "../src/network";
import { href, parse, type Route } from "../src/route";
import { clear, load, overlapMatrix, toggle } from "../src/shortlist";

class MemoryStorage {
  private items = new Map<string, string>();
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.items.set(key, value);
  }
}

describe("csv", () => {
  it("quotes what needs quoting and neutralises formulas", () => {
    expect(field('say "hi", then\nleave')).toBe('"say ""hi"", then\nleave"');
    expect(field("=HYPERLINK(1)")).toBe("'=HYPERLINK(1)");
    expect(field("-3")).toBe("'-3");
    expect(field(-3)).toBe("-3");
    expect(field(null)).toBe("");
    expect(field(true)).toBe("true");
  });
  it("writes a header and one CRLF line per row in column order", () => {
    const rows = [
      { id: "a", name: "Lin, Mei", value: 1.5 },
      { id: "b", name: null, value: 0 },
    ];
    expect(toCsv(rows, ["value", "id", "name"])).toBe('value,id,name\r\n1.5,a,"Lin, Mei"\r\n0,b,\r\n');
  });
});

describe("format", () => {
  it("reads as a marketer reads", () => {
    expect(count(999)).toBe("999");
    expect(count(300_000)).toBe("300K");
    expect(count(1_234_567)).toBe("1.2M");
    expect(count(null)).toBe("–");
    expect(percent(0.1234)).toBe("12.3%");
    expect(score(35.84)).toBe("35.8");
    expect(score(0.000123456)).toBe("0.000123");
    expect(score(0)).toBe("0");
    expect(money(10_000)).toBe("¥10,000");
    expect(money(0.019)).toBe("¥0.02");
    expect(money(99.5)).toBe("¥99.50");
    expect(interval(10, [8, 12.5])).toBe("10 (95% CI 8 – 12.5)");
    expect(when("2026-11-30T01:47:42.45+00:00")).toBe("2026-11-30 01:47 UTC");
    expect(when("not a time")).toBe("not a time");
  });
});

describe("routes", () => {
  it("parses every page and round-trips through href", () => {
    const cases: [string, Route][] = [
      ["/", { page: "overview" }],
      ["/communities", { page: "communities", color: "tier", q: "" }],
      ["/communities?color=revenue&q=crm-1", { page: "communities", color: "revenue", q: "crm-1" }],
      ["/communities/7", { page: "community", id: 7, limit: 500 }],
      ["/communities/7?limit=2000", { page: "community", id: 7, limit: 2000 }],
      ["/customers/wechat_unionid%3AU%201", { page: "customer", id: "wechat_unionid:U 1" }],
      ["/referrals", { page: "referrals", campaign: null }],
      ["/referrals/cny%20red", { page: "referrals", campaign: "cny red" }],
    ];
    for (const [url, route] of cases) {
      const [path, search] = url.split("?");
      expect(parse(path ?? "", search ?? "")).toEqual(route);
      expect(href(route)).toBe(url);
    }
  });
  it("clamps limits, keeps planner filters and names what it does not know", () => {
    expect(parse("/communities/3", "limit=999999")).toEqual({ page: "community", id: 3, limit: 5000 });
    expect(parse("/communities/3", "limit=x")).toEqual({ page: "community", id: 3, limit: 500 });
    const planner = parse("/planner", "tier=kol&min_audience=1000");
    expect(planner.page === "planner" && planner.params.get("tier")).toBe("kol");
    expect(href(planner)).toBe("/planner?tier=kol&min_audience=1000");
    expect(parse("/communities/abc")).toEqual({ page: "notfound", path: "/communities/abc" });
    expect(parse("/signin", "next=%2Fplanner")).toEqual({ page: "signin", next: "/planner" });
  });
});

describe("shortlist", () => {
  it("toggles people in and out, once each, and survives garbage", () => {
    const storage = new MemoryStorage();
    expect(load(storage)).toEqual([]);
    toggle(storage, { id: "a", name: "A", tier: "kol" });
    toggle(storage, { id: "b", name: null, tier: null });
    expect(load(storage).map((p) => p.id)).toEqual(["a", "b"]);
    toggle(storage, { id: "a", name: "A", tier: "kol" });
    expect(load(storage).map((p) => p.id)).toEqual(["b"]);
    clear(storage);
    expect(load(storage)).toEqual([]);
    storage.setItem("graph_engine.shortlist", "{not json");
    expect(load(storage)).toEqual([]);
    storage.setItem("graph_engine.shortlist", '[{"id": 3}, {"id": "ok"}]');
    expect(load(storage).map((p) => p.id)).toEqual(["ok"]);
  });
  it("builds a symmetric overlap matrix with reach alone on the diagonal", () => {
    const matrix = overlapMatrix(
      ["a", "b", "c"],
      [
        { a: "a", b: "b", shared: 2 },
        { a: "c", b: "a", shared: 1 },
        { a: "x", b: "a", shared: 9 },
      ],
      new Map([
        ["a", 10],
        ["b", 5],
        ["c", 3],
      ]),
    );
    expect(matrix).toEqual([
      [10, 2, 1],
      [2, 5, 0],
      [1, 0, 3],
    ]);
  });
});

describe("charts", () => {
  it("scales bars and whiskers to the tallest of values and interval tops", () => {
    const bars = layoutBars(
      [
        { label: "a", value: 5, low: 4, high: 10 },
        { label: "b", value: 2 },
        { label: "c", value: -1 },
      ],
      300,
      100,
    );
    expect(bars[0]).toMatchObject({ height: 50, y: 50, errorTop: 0, errorBottom: 60 });
    expect(bars[1]).toMatchObject({ height: 20, y: 80, errorTop: null });
    expect(bars[2]?.height).toBe(0);
    expect(bars[1]?.x).toBeCloseTo(100 + 15);
    expect(layoutBars([], 100, 100)).toEqual([]);
    expect(layoutBars([{ label: "z", value: 0 }], 100, 100)[0]?.height).toBe(0);
  });
  it("folds the long tail of a cascade into one bar", () => {
    expect(hopBars([2, 10, 5, 1, 0.5, 0.25], 3)).toEqual([
      { label: "seeds", value: 2 },
      { label: "hop 1", value: 10 },
      { label: "hop 2", value: 5 },
      { label: "hop 3+", value: 1.75 },
    ]);
    expect(hopBars([2, 10], 3).map((b) => b.label)).toEqual(["seeds", "hop 1"]);
  });
});

describe("colours and sizes", () => {
  it("maps tiers, revenue and values", () => {
    expect(tierColor("kol")).toBe("#dc2626");
    expect(tierColor(null)).toBe(UNSCORED);
    expect(revenueColor(0, 100)).toBe("rgb(219, 234, 254)");
    expect(revenueColor(100, 100)).toBe("rgb(30, 64, 175)");
    expect(revenueColor(500, 100)).toBe(revenueColor(100, 100));
    expect(sizeFor(0, 0, 100, 2, 12)).toBe(2);
    expect(sizeFor(100, 0, 100, 2, 12)).toBe(12);
    expect(sizeFor(25, 0, 100, 2, 12)).toBe(7);
    expect(sizeFor(5, 5, 5, 2, 12)).toBe(7);
  });
});

describe("graph building", () => {
  it("places nodes deterministically and merges parallel links", () => {
    expect(seedPosition("crm-1")).toEqual(seedPosition("crm-1"));
    expect(seedPosition("crm-1")).not.toEqual(seedPosition("crm-2"));
    const { x, y } = seedPosition("anything");
    expect(Math.hypot(x, y)).toBeLessThanOrEqual(100);
    const graph = buildGraph(
      [
        { id: "a", label: "A", color: "#000", value: 1 },
        { id: "b", label: "B", color: "#000", value: 3 },
        { id: "a", label: "again", color: "#000", value: 9 },
      ],
      [
        { source: "a", target: "b", color: "#111", weight: 1 },
        { source: "a", target: "b", color: "#222", weight: 3 },
        { source: "b", target: "a", color: "#111", weight: 1 },
        { source: "a", target: "a", color: "#111", weight: 1 },
        { source: "a", target: "ghost", color: "#111", weight: 1 },
      ],
    );
    expect(graph.order).toBe(2);
    expect(graph.size).toBe(2);
    expect(graph.getEdgeAttribute(graph.edge("a", "b"), "weight")).toBe(4);
    expect(graph.getEdgeAttribute(graph.edge("a", "b"), "size")).toBe(4);
    expect(graph.getNodeAttribute("a", "label")).toBe("A");
    expect(graph.getNodeAttribute("b", "size")).toBeGreaterThan(graph.getNodeAttribute("a", "size") as number);
  });
  it("spends fewer layout iterations on bigger graphs", () => {
    expect(layoutIterations(100)).toBeGreaterThan(layoutIterations(800));
    expect(layoutIterations(800)).toBeGreaterThan(layoutIterations(5000));
  });
});

describe("campaign plan export", () => {
  it("lists the seeds in order with a total line that carries the interval and budget", async () => {
    const { planCsv } = await import("../src/pages/planner");
    const csv = planCsv(
      {
        seeds: [
          { id: "kol-1", name: "Lin Mei", marginal_gain: 120.5, cost: 3000, tier: "kol", tier_reason: "audience 300k → macro KOL" },
          { id: "koc-2", marginal_gain: 40, cost: 200, tier: "koc", tier_reason: null },
        ],
        expected_spread: 160.5,
        std_error: 1,
        ci95: [150, 171],
        certified_ratio: 0.53,
        rr_sets: 1000,
        total_cost: 3200,
        seconds: 0.1,
      },
      5000,
    );
    expect(csv.split("\r\n")).toEqual([
      "rank,id,name,tier,cost,marginal_gain,tier_reason",
      "1,kol-1,Lin Mei,kol,3000,120.5,audience 300k → macro KOL",
      "2,koc-2,,koc,200,40,",
      ",TOTAL,,,3200,160.5,95% CI 150-171; certified ratio 0.53; budget 5000",
      "",
    ]);
  });
});
