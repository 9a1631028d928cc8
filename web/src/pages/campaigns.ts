// Campaigns: the saved plans, and a campaign's report — planned against actual reach,
// conversions and revenue, K-factor, cost per acquisition, ROI, and each seed's share.
import { api, ApiError } from "../api";
import { barChart } from "../chart";
import type { Page } from "../context";
import { download, toCsv } from "../csv";
import { card, h, stat, table } from "../dom";
import { count, money, percent, score, when } from "../format";
import { href } from "../route";
import { personLink } from "../ui";

export const REPORT_COLUMNS = ["seed", "cost", "reached", "conversions", "revenue"] as const;

export const campaignsPage: Page = async () => {
  const plans = await api.campaignPlans();
  return h(
    "div",
    {},
    h("h1", {}, "Campaigns"),
    h("p", { class: "muted" }, "Plan a campaign from the planner (select seeds, then “Save as campaign”), tag its events with the campaign id, and follow it here."),
    card(
      "Saved plans",
      plans.data.length
        ? table(
            ["Campaign", "Planned"],
            plans.data.map((p) => [h("a", { href: href({ page: "campaign", id: p.campaign_id }), "data-link": true }, p.campaign_id), when(p.created_at)]),
            "campaign-plans",
          )
        : h("p", { class: "muted" }, "No campaign has a plan yet."),
    ),
  );
};

export const campaignPage: Page = async (route) => {
  if (route.page !== "campaign") throw new Error("wrong route");
  let report;
  try {
    report = await api.campaignReport(route.id);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      return h("div", {}, h("h1", {}, `Campaign ${route.id}`), h("p", { class: "muted" }, "This campaign has no plan. Make one in the planner."));
    }
    throw error;
  }
  const { plan, planned, actual } = report;
  const range = planned.reached_range95 ?? null;
  const exportButton = h("button", { type: "button", "data-testid": "export-report" }, "Export report (CSV)");
  exportButton.addEventListener("click", () => {
    const rows = [...report.per_seed, { seed: "TOTAL", cost: actual.cost, reached: actual.reached, conversions: actual.conversions, revenue: actual.revenue }];
    download(`${route.id}-report.csv`, toCsv(rows, REPORT_COLUMNS));
  });
  const top = [...report.per_seed].sort((a, b) => b.reached - a.reached).slice(0, 12);
  return h(
    "div",
    {},
    h("p", {}, h("a", { href: "/campaigns", "data-link": true }, "← Campaigns")),
    h("h1", {}, `Campaign ${route.id}`),
    h("p", { class: "muted" }, `Planned ${when(plan.created_at)} on ${plan.run_id}: ${String(plan.seeds.length)} seeds. Actuals from ${count(actual.events.shares)} share actions, ${count(actual.events.referrals)} referrals and ${count(actual.events.orders)} orders tagged with the campaign.`),
    h(
      "div",
      { class: "stats", "data-testid": "campaign-actual" },
      stat("Reached", `${count(actual.reached)} of ${score(planned.reached)} planned`, "actual-reached"),
      stat("Conversions", `${count(actual.conversions)} of ${score(planned.conversions)} planned`, "actual-conversions"),
      stat("Revenue", `${money(actual.revenue)} of ${money(planned.revenue)} planned`, "actual-revenue"),
      stat("Cost", money(actual.cost)),
      stat("Cost per acquisition", actual.cost_per_acquisition === null ? "–" : money(actual.cost_per_acquisition)),
      stat("ROI", actual.roi === null ? "–" : percent(actual.roi), "actual-roi"),
      stat("K-factor", score(actual.k_factor)),
    ),
    h(
      "div",
      { class: "grid" },
      card(
        "Planned against actual",
        h("div", { class: "toolbar" },
          barChart(
            [
              { label: "reach planned", value: planned.reached, ...(range ? { low: range[0], high: range[1] } : {}) },
              { label: "reach actual", value: actual.reached },
              { label: "conv. planned", value: planned.conversions },
              { label: "conv. actual", value: actual.conversions },
            ],
            { title: "Reach and conversions, planned against actual (whiskers: where 95% of runs land)", testid: "planned-actual" },
          ),
          barChart(
            [
              { label: "revenue planned", value: planned.revenue },
              { label: "revenue actual", value: actual.revenue },
              { label: "cost", value: actual.cost },
            ],
            { title: "Revenue and cost", color: "#10b981", testid: "revenue-chart" },
          ),
        ),
      ),
      card(
        "Reach by seed (first touch)",
        barChart(top.map((r) => ({ label: r.seed.startsWith("(") ? r.seed : r.seed.slice(-6), value: r.reached })), { title: "People reached per seed", color: "#6366f1", testid: "seed-chart" }),
      ),
    ),
    card(
      "Per seed",
      table(
        ["Seed", "Cost", "Reached", "Conversions", "Revenue", "Revenue / cost"],
        report.per_seed.map((r) => [r.seed.startsWith("(") ? r.seed : personLink(r.seed), money(r.cost), count(r.reached), count(r.conversions), money(r.revenue), r.cost ? score(r.revenue / r.cost) : "–"]),
        "campaign-seeds",
      ),
      exportButton,
    ),
  );
};
