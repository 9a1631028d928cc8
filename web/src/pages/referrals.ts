// Referrals: campaigns, a campaign's referral trees, K-factor and members by generation.
import { api } from "../api";
import { barChart } from "../chart";
import type { Page } from "../context";
import { card, h, stat, table } from "../dom";
import { count, percent, score } from "../format";
import { draw } from "../graph";
import { buildGraph, LINK_COLORS } from "../network";
import { href } from "../route";

const GENERATION_COLORS = ["#dc2626", "#f59e0b", "#10b981", "#3b82f6", "#8b5cf6", "#64748b"];

export function generationColor(generation: number): string {
  return GENERATION_COLORS[Math.min(generation, GENERATION_COLORS.length - 1)] ?? "#64748b";
}

export const referralsPage: Page = async (route, ctx) => {
  if (route.page !== "referrals") throw new Error("wrong route");
  const campaigns = await api.campaigns();
  const list = card(
    "Campaigns",
    table(
      ["Campaign", "Invites", "Conversions", "Rate", "K-factor", "People", "Trees"],
      campaigns.data.map((c) => [
        h("a", { href: href({ page: "referrals", campaign: c.campaign_id }), "data-link": true, class: c.campaign_id === route.campaign ? "active" : "" }, c.campaign_id),
        count(c.invites),
        count(c.conversions),
        percent(c.conversion_rate),
        score(c.k_factor),
        count(c.users),
        count(c.trees),
      ]),
      "campaigns",
    ),
  );
  const campaign = route.campaign ?? campaigns.data[0]?.campaign_id;
  if (!campaign) return h("div", {}, h("h1", {}, "Referrals"), h("p", { class: "muted" }, "No referral events yet."));
  const started = performance.now();
  const [stats, trees] = await Promise.all([api.referrals(campaign), api.referralTrees(campaign, 30, 1500)]);
  const fetched = performance.now();
  const container = h("div", { class: "graph", "data-testid": "referral-trees" });
  const graph = buildGraph(
    trees.nodes.map((n) => ({ id: n.id, label: n.name ?? n.id, color: generationColor(n.generation), value: n.generation === 0 ? 2 : 1 })),
    trees.links.map((l) => ({ ...l, color: LINK_COLORS.REFERRED, weight: 1 })),
    [3, 7],
  );
  const page = h(
    "div",
    {},
    h("h1", {}, "Referrals"),
    list,
    h("h2", { "data-testid": "campaign-title" }, `Campaign ${campaign}`),
    h(
      "div",
      { class: "stats" },
      stat("K-factor", score(stats.k_factor), "k-factor"),
      stat("Invites", count(stats.invites)),
      stat("Conversion rate", percent(stats.conversion_rate)),
      stat("People", count(stats.users)),
      stat("Trees", count(stats.trees)),
      stat("Largest tree", count(stats.largest_tree)),
      stat("Depth", String(stats.depth)),
      stat("Cycle time (median)", stats.cycle_time_median_hours === null ? "–" : `${score(stats.cycle_time_median_hours)} h`),
      stats.cycle_time_early_invites ? stat("Invited before joining", count(stats.cycle_time_early_invites)) : null,
    ),
    h(
      "div",
      { class: "grid" },
      card("K-factor by generation", barChart(stats.generations.map((g) => ({ label: `gen ${String(g.generation)}`, value: g.k_factor })), { title: "K-factor by generation", color: "#10b981", testid: "k-chart" })),
      card("People by generation", barChart(stats.generations.map((g) => ({ label: `gen ${String(g.generation)}`, value: g.members })), { title: "People by generation", color: "#3b82f6", testid: "generation-chart" })),
    ),
    card(
      "Referral trees",
      h("p", { class: "muted", "data-testid": "trees-cap" }, `The ${String(trees.trees)} largest of ${String(trees.total_trees)} trees, ${count(trees.nodes.length)} people${trees.truncated ? " (capped)" : ""}. Colour: generation (red = the referrer who started the tree). Click a person to open them.`),
      h("div", { class: "legend" }, [0, 1, 2, 3, 4].map((g) => h("span", {}, h("i", { style: `background:${generationColor(g)}` }), `gen ${String(g)}`))),
      container,
    ),
  );
  requestAnimationFrame(() => {
    if (!container.isConnected) return;
    const drawing = draw(container, graph, { name: "referral-trees", started, fetched, arrows: true, onClick: (id) => { ctx.navigate(href({ page: "customer", id })); } });
    ctx.onLeave(drawing.kill);
  });
  return page;
};
