// Influencer finder and campaign planner: filter people, build a shortlist (unique and
// marginal reach, overlap), select seeds by k or budget, forecast reach with its
// interval and by hop, export the plan.
import { api } from "../api";
import { barChart, hopBars } from "../chart";
import type { Page } from "../context";
import { download, toCsv } from "../csv";
import { card, h, stat, table } from "../dom";
import { count, interval, money, percent, score } from "../format";
import * as shortlist from "../shortlist";
import type { ReachOut, ScoreField, SeedsIn, SeedsOut, Tier } from "../types";
import { href } from "../route";
import { communityLink, fill, personLink, shortlistButton, tierBadge } from "../ui";

const FILTERS = ["tier", "tier_level", "platform", "community", "min_audience", "min_expected_reach", "sort"] as const;
const SORTS: ScoreField[] = ["social_value", "expected_reach", "influence", "audience", "participation", "revenue", "conversions"];

function select(name: string, options: readonly string[], value: string | null, blank = "any"): HTMLSelectElement {
  return h("select", { name, "data-testid": `filter-${name}` }, blank ? h("option", { value: "" }, blank) : null, options.map((o) => h("option", { value: o, selected: o === value }, o)));
}

function input(name: string, value: string | null, placeholder: string, type = "text"): HTMLInputElement {
  return h("input", { name, value: value ?? "", placeholder, type, "data-testid": `filter-${name}` });
}

/** Reach forecast: mean with its 95% interval, and reach by hop as a chart. */
export function reachView(reach: ReachOut, testid: string): HTMLElement {
  return h(
    "div",
    { "data-testid": testid },
    h("div", { class: "stats" }, stat("Expected reach", interval(reach.mean, reach.ci95)), stat("Simulations", count(reach.samples)), stat("Model", reach.model.toUpperCase())),
    barChart(hopBars(reach.by_hop), { title: "Expected people reached by hop", testid: `${testid}-by-hop` }),
  );
}

export const PLAN_COLUMNS = ["rank", "id", "name", "tier", "cost", "marginal_gain", "tier_reason"] as const;

export function planCsv(plan: SeedsOut, budget: number | null): string {
  const rows = plan.seeds.map((s, i) => ({ rank: i + 1, id: s.id, name: s.name ?? "", tier: s.tier ?? "", cost: s.cost, marginal_gain: s.marginal_gain, tier_reason: s.tier_reason ?? "" }));
  const summary = [
    { rank: "", id: "TOTAL", name: "", tier: "", cost: plan.total_cost, marginal_gain: plan.expected_spread, tier_reason: `95% CI ${score(plan.ci95[0])}-${score(plan.ci95[1])}; certified ratio ${score(plan.certified_ratio)}${budget !== null ? `; budget ${String(budget)}` : ""}` },
  ];
  return toCsv<Record<(typeof PLAN_COLUMNS)[number], string | number>>([...rows, ...summary], PLAN_COLUMNS);
}

export const plannerPage: Page = async (route, ctx) => {
  if (route.page !== "planner") throw new Error("wrong route");
  const params = route.params;
  const form = h(
    "form",
    { class: "filters", "data-testid": "finder" },
    select("tier", ["kol", "koc", "employee", "consumer"], params.get("tier")),
    select("tier_level", ["nano", "micro", "mid", "macro", "mega"], params.get("tier_level")),
    input("platform", params.get("platform"), "platform (weibo…)"),
    input("community", params.get("community"), "community #", "number"),
    input("min_audience", params.get("min_audience"), "min audience", "number"),
    input("min_expected_reach", params.get("min_expected_reach"), "min reach", "number"),
    select("sort", SORTS, params.get("sort") ?? "social_value", ""),
    h("button", { type: "submit", "data-testid": "find" }, "Find"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const next = new URLSearchParams();
    for (const [name, value] of new FormData(form).entries()) if (typeof value === "string" && value) next.set(name, value);
    ctx.navigate(`/planner?${next.toString()}`);
  });
  const query: Record<string, string> = { limit: "50" };
  for (const name of FILTERS) {
    const value = params.get(name);
    if (value) query[name] = value;
  }
  const results = await api.influencers(query);

  // the shortlist
  const listSlot = h("div", { "data-testid": "shortlist" });
  const evalSlot = h("div", {});
  const renderList = (): void => {
    const list = shortlist.load(sessionStorage);
    listSlot.replaceChildren(
      list.length
        ? h("ol", {}, list.map((p) => h("li", {}, personLink(p.id, p.name), " ", p.tier ? tierBadge(p.tier as Tier) : null)))
        : h("p", { class: "muted" }, "Empty: add people with “+ shortlist”."),
    );
  };
  renderList();
  const onChange = (): void => {
    renderList();
  };
  window.addEventListener("shortlist-changed", onChange);
  ctx.onLeave(() => {
    window.removeEventListener("shortlist-changed", onChange);
  });
  const evaluate = h("button", { type: "button", "data-testid": "evaluate-shortlist" }, "Evaluate shortlist");
  evaluate.addEventListener("click", () => {
    const people = shortlist.load(sessionStorage);
    const ids = people.map((p) => p.id);
    const nameOf = new Map(people.map((p) => [p.id, p.name ?? p.id]));
    if (!ids.length) return;
    void fill(evalSlot, async () => {
      const [report, reach] = await Promise.all([api.shortlist(ids), api.reach(ids)]);
      const alone = new Map(report.candidates.map((c) => [c.id, c.alone]));
      const matrix = shortlist.overlapMatrix(ids, report.overlap, alone);
      return h(
        "div",
        { "data-testid": "shortlist-report" },
        h("div", { class: "stats" }, stat("Reach together", score(report.union)), stat("Sum of reach alone", score(report.sum_of_alone)), stat("Lost to overlap", percent(report.sum_of_alone > 0 ? 1 - report.union / report.sum_of_alone : 0))),
        table(
          ["Candidate", "Reach alone", "Unique reach", "Marginal (greedy order)"],
          report.candidates.map((c) => [personLink(c.id, nameOf.get(c.id)), score(c.alone), score(c.unique), score(c.added)]),
          "shortlist-table",
        ),
        h("h3", {}, "Overlap matrix (expected people reached by both)"),
        table(
          ["", ...ids.map((id) => nameOf.get(id) ?? id)],
          matrix.map((row, i) => [nameOf.get(ids[i] ?? "") ?? "", ...row.map((v, j) => h("span", { class: i === j ? "diag" : "", style: `opacity:${String(0.35 + 0.65 * Math.min(1, v / Math.max(1, report.union)))}` }, score(v)))]),
          "overlap-matrix",
        ),
        reachView(reach, "shortlist-reach"),
      );
    });
  });
  const clearButton = h("button", { type: "button", class: "small" }, "Clear");
  clearButton.addEventListener("click", () => {
    shortlist.clear(sessionStorage);
    renderList();
    evalSlot.replaceChildren();
  });

  // seed selection
  const mode = h("select", { name: "mode", "data-testid": "seed-mode" }, h("option", { value: "k" }, "k seeds"), h("option", { value: "budget" }, "budget"));
  const amount = h("input", { name: "amount", type: "number", value: "10", min: "1", "data-testid": "seed-amount" });
  const costField = select("cost_field", SORTS, "audience", "");
  const costRate = h("input", { name: "cost_rate", type: "number", value: "0.01", step: "any", min: "0", "data-testid": "cost-rate" });
  const tiers = h("input", { name: "tiers", placeholder: "candidate tiers: kol,koc", "data-testid": "seed-tiers" });
  const target = h("input", { name: "target", placeholder: "target community #", type: "number", "data-testid": "seed-target" });
  const seedSlot = h("div", {});
  const seedForm = h(
    "form",
    { class: "filters", "data-testid": "seed-form" },
    mode,
    amount,
    h("label", {}, "cost = ", costField, " × ", costRate),
    tiers,
    target,
    h("button", { type: "submit", "data-testid": "select-seeds" }, "Select seeds"),
  );
  seedForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const value = Number(amount.value);
    const body: SeedsIn = { epsilon: 0.1, seed: 0, cost_field: costField.value as ScoreField, cost_rate: Number(costRate.value) || 1 };
    if (mode.value === "budget") body.budget = value;
    else body.k = Math.max(1, Math.round(value));
    const tierList = tiers.value.split(",").map((t) => t.trim()).filter(Boolean) as Tier[];
    if (tierList.length) body.candidate_tiers = tierList;
    const targets = target.value ? [Number(target.value)] : undefined;
    if (targets) body.target_communities = targets;
    const budget = body.budget ?? null;
    void fill(seedSlot, async () => {
      const plan = await api.seeds(body);
      const reach = plan.seeds.length ? await api.reach(plan.seeds.map((s) => s.id), targets) : null;
      const exportPlan = h("button", { type: "button", "data-testid": "export-plan" }, "Export plan (CSV)");
      // keep the plan as a campaign: its events (tagged with the id) are reported against it
      const campaignName = h("input", { type: "text", placeholder: "campaign id, e.g. spring-launch", pattern: "[A-Za-z0-9_.:-]{1,200}", "data-testid": "campaign-id" });
      const saveStatus = h("span", { class: "muted", role: "status" });
      const save = h("button", { type: "button", "data-testid": "save-campaign" }, "Save as campaign");
      save.addEventListener("click", () => {
        const id = campaignName.value.trim();
        if (!/^[A-Za-z0-9_.:-]{1,200}$/.test(id)) {
          saveStatus.textContent = "A campaign id is 1-200 letters, digits, _ . : or -.";
          return;
        }
        save.disabled = true;
        saveStatus.textContent = "Saving…";
        api
          .planCampaign(id, { ...body, seed: body.seed ?? 0 })
          .then(() => {
            ctx.navigate(href({ page: "campaign", id }));
          })
          .catch((error: unknown) => {
            saveStatus.textContent = error instanceof Error ? error.message : String(error);
          })
          .finally(() => {
            save.disabled = false;
          });
      });
      exportPlan.addEventListener("click", () => {
        download("campaign-plan.csv", planCsv(plan, budget));
      });
      return h(
        "div",
        { "data-testid": "seed-plan" },
        h(
          "div",
          { class: "stats" },
          stat("Seeds", String(plan.seeds.length)),
          stat("Expected spread", interval(plan.expected_spread, plan.ci95)),
          stat("Total cost", budget !== null ? `${money(plan.total_cost)} of ${money(budget)}` : money(plan.total_cost), "plan-cost"),
          stat("Certified ratio", score(plan.certified_ratio)),
          stat("RR sets", count(plan.rr_sets)),
        ),
        table(
          ["#", "Seed", "Tier", "Cost", "Marginal gain", "Why", ""],
          plan.seeds.map((s, i) => [String(i + 1), personLink(s.id, s.name), s.tier ? tierBadge(s.tier as Tier) : "–", money(s.cost), score(s.marginal_gain), h("span", { class: "reason" }, s.tier_reason ?? ""), shortlistButton({ id: s.id, name: s.name ?? null, tier: s.tier })]),
          "seed-table",
        ),
        h("div", { class: "toolbar" }, exportPlan, campaignName, save, saveStatus),
        reach ? reachView(reach, "plan-reach") : null,
      );
    });
  });

  return h(
    "div",
    {},
    h("h1", {}, "Influencer finder & campaign planner"),
    card(
      "Find influencers",
      form,
      h("div", { class: "scroll" }, table(
        ["Customer", "Tier", "Community", "Social value", "Expected reach", "Audience", "Platforms", ""],
        results.data.map((s) => [
          personLink(s.customer_id, s.name),
          tierBadge(s.tier, s.tier_level),
          communityLink(s.community_id),
          money(s.social_value),
          score(s.expected_reach),
          count(s.audience),
          Object.entries(s.audience_by_platform ?? {}).map(([p, n]) => `${p} ${count(n)}`).join(", "),
          shortlistButton({ id: s.customer_id, name: s.name ?? null, tier: s.tier }),
        ]),
        "finder-results",
      )),
      results.next ? h("p", { class: "muted" }, "Showing the first 50; narrow the filters to see others.") : null,
    ),
    h("div", { class: "grid" }, card("Shortlist", listSlot, h("div", { class: "toolbar" }, evaluate, clearButton)), card("Shortlist evaluation", evalSlot)),
    card("Seed selection (certified, on the learned influence graph)", h("p", { class: "muted" }, "By k, or by budget with each person's cost = a score × a rate (e.g. audience × 0.01)."), seedForm, seedSlot),
  );
};
