// A customer: profile (identity values only for PII keys), scores with the breakdown
// and tier reason, history over runs, ego network to 2 hops (capped).
import { api } from "../api";
import { barChart } from "../chart";
import { tierColor } from "../colors";
import type { Page } from "../context";
import { card, h, stat, table } from "../dom";
import { count, money, percent, score, when } from "../format";
import { draw } from "../graph";
import { buildGraph, LINK_COLORS } from "../network";
import { href } from "../route";
import { communityLink, shortlistButton, tierBadge } from "../ui";

const EGO_LIMIT = 200;

function breakdown(parts: Record<string, number> | undefined, weights?: Record<string, number>): HTMLElement {
  const entries = Object.entries(parts ?? {});
  if (!entries.length) return h("p", { class: "muted" }, "–");
  return table(
    weights ? ["Component", "Value", "Weight"] : ["Signal", "Value"],
    entries.map(([name, value]) => (weights ? [name, score(value), score(weights[name] ?? null)] : [name, score(value)])),
  );
}

export const customerPage: Page = async (route, ctx) => {
  if (route.page !== "customer") throw new Error("wrong route");
  const started = performance.now();
  const [c, history, network] = await Promise.all([api.customer(route.id), api.history(route.id), api.network(route.id, 2, EGO_LIMIT)]);
  const fetched = performance.now();
  const s = c.scores;
  const container = h("div", { class: "graph small", "data-testid": "ego-graph" });
  const graph = buildGraph(
    network.nodes.map((n) => ({ id: n.id, label: n.name ?? n.id, color: tierColor(n.tier), value: n.social_value ?? 0, highlighted: n.hop === 0 })),
    network.links.map((l) => ({ source: l.source, target: l.target, color: LINK_COLORS[l.type], weight: l.weight })),
  );
  const hops = [0, 1, 2].map((hop) => network.nodes.filter((n) => n.hop === hop).length);
  const page = h(
    "div",
    {},
    h("h1", {}, c.name ?? c.id, " ", s ? tierBadge(s.tier, s.tier_level) : tierBadge(null)),
    h(
      "div",
      { class: "toolbar" },
      h("code", {}, c.id),
      s ? h("span", {}, " community ", communityLink(s.community_id)) : null,
      ctx.can("plan") ? shortlistButton({ id: c.id, name: c.name, tier: s?.tier ?? null }) : null,
    ),
    s ? h("p", { class: "reason", "data-testid": "tier-reason" }, s.tier_reason) : h("p", { class: "muted" }, "Not scored by the current run (joined after it?)."),
    h(
      "div",
      { class: "stats" },
      stat("Social value", money(s?.social_value), "social-value"),
      stat("Value rank", percent(s?.social_value_rank)),
      stat("Influence", score(s?.influence)),
      stat("Expected reach", score(s?.expected_reach)),
      stat("Audience", count(s?.audience)),
      stat("Revenue", money(c.revenue_total)),
      stat("Orders", count(c.order_count)),
      stat("Follows / followers", `${count(c.follows)} / ${count(c.followers)}`),
      stat("Conversions", count(s?.conversions)),
    ),
    h(
      "div",
      { class: "grid" },
      card(
        "Profile",
        table(
          ["Field", "Value"],
          [
            ["Employee", c.is_employee ? `yes${c.employee_of ? ` (${c.employee_of})` : ""}` : "no"],
            ["Region", c.region ?? "–"],
            ["Tags", c.tags.join(", ") || "–"],
            ["First seen", when(c.first_seen)],
            ["Last active", when(c.last_active)],
            ["External followers", Object.entries(c.external_followers).map(([p, n]) => `${p} ${count(n)}`).join(", ") || "–"],
            ["Identity kinds", c.identity_kinds.join(", ")],
            ["Identities", c.identities ? c.identities.join(", ") : h("span", { class: "muted", "data-testid": "pii-hidden" }, "hidden (needs a key with the PII flag)")],
            ["Merged ids", c.merged_ids.join(", ") || "–"],
          ],
          "profile",
        ),
      ),
      card(
        "Social value, explained",
        c.value_explained
          ? h("ul", { class: "explained", "data-testid": "value-explained" }, c.value_explained.map((line) => h("li", {}, line)))
          : breakdown(s?.value_components, s?.value_weights),
      ),
      card("Influence signals", breakdown(s?.influence_signals)),
    ),
    card(
      "History over runs",
      history.data.length > 1 ? barChart(history.data.map((r) => ({ label: r.run_id.split("-").slice(0, 2).join("-"), value: r.social_value })), { title: "Social value by run", testid: "history-chart" }) : null,
      table(["Run", "Tier", "Social value", "Reach", "Community"], history.data.map((r) => [r.run_id, tierBadge(r.tier, r.tier_level), money(r.social_value), score(r.expected_reach), communityLink(r.community_id)]), "history"),
    ),
    card(
      "Network to 2 hops",
      h("p", { class: "muted", "data-testid": "ego-cap" }, `${count(network.nodes.length)} people (${String(hops[1])} at 1 hop, ${String(hops[2])} at 2 hops) and ${count(network.links.length)} relationships; capped at ${String(network.limit)} people, strongest ties first${network.truncated ? " — the cap was reached" : ""}.`),
      container,
    ),
  );
  requestAnimationFrame(() => {
    if (!container.isConnected) return;
    const drawing = draw(container, graph, {
      name: "ego-network",
      started, fetched,
      arrows: true,
      onClick: (id) => {
        if (id !== c.id) ctx.navigate(href({ page: "customer", id }));
      },
    });
    ctx.onLeave(drawing.kill);
  });
  return page;
};
