// Community map: communities as a graph (size = members, colour = dominant tier or
// revenue, links = relationships between them), search, click-through.
import { api, ApiError } from "../api";
import { revenueColor, tierColor, TIER_COLORS } from "../colors";
import type { Page } from "../context";
import { card, h, table } from "../dom";
import { count, money, score } from "../format";
import { draw } from "../graph";
import { buildGraph, LINK_COLORS } from "../network";
import { href } from "../route";
import { communityLink, tierBadge } from "../ui";

export const communitiesPage: Page = async (route, ctx) => {
  if (route.page !== "communities") throw new Error("wrong route");
  const started = performance.now();
  const map = await api.communityMap(300);
  const fetched = performance.now();
  const maxRevenue = Math.max(0, ...map.nodes.map((n) => n.revenue_total));
  const colorOf = (n: (typeof map.nodes)[number]): string =>
    route.color === "revenue" ? revenueColor(n.revenue_total, maxRevenue) : tierColor(n.dominant_tier);
  const container = h("div", { class: "graph", "data-testid": "community-map" });
  const graph = buildGraph(
    map.nodes.map((n) => ({ id: String(n.community_id), label: `#${String(n.community_id)} · ${count(n.size)}`, color: colorOf(n), value: n.size })),
    map.links.map((l) => ({ source: String(l.source), target: String(l.target), color: LINK_COLORS.community, weight: l.weight })),
  );
  const open = (id: string): void => {
    ctx.navigate(href({ page: "community", id: Number(id), limit: 500 }));
  };

  const search = h("input", { type: "search", placeholder: "Community # or customer id / identity key", value: route.q, "data-testid": "community-search" });
  const message = h("span", { class: "muted", role: "status" });
  const form = h("form", { class: "toolbar" }, search, h("button", { type: "submit" }, "Find"), message);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const q = search.value.trim();
    if (/^#?\d+$/.test(q)) {
      open(q.replace("#", ""));
      return;
    }
    message.textContent = "Looking up…";
    api
      .customer(q)
      .then((c) => {
        const cid = c.scores?.community_id;
        if (cid === null || cid === undefined) message.textContent = `${c.id} is in no community of the current run.`;
        else open(String(cid));
      })
      .catch((error: unknown) => {
        message.textContent = error instanceof ApiError && error.status === 404 ? `Nobody is known as ${q}.` : String(error);
      });
  });
  const colorToggle = h(
    "div",
    { class: "toolbar" },
    "Colour by: ",
    h("a", { href: href({ page: "communities", color: "tier", q: "" }), "data-link": true, class: route.color === "tier" ? "active" : "" }, "dominant tier"),
    " · ",
    h("a", { href: href({ page: "communities", color: "revenue", q: "" }), "data-link": true, class: route.color === "revenue" ? "active" : "" }, "revenue"),
  );
  const legend = h(
    "div",
    { class: "legend" },
    route.color === "tier"
      ? Object.entries(TIER_COLORS).map(([tier, color]) => h("span", {}, h("i", { style: `background:${color}` }), tier))
      : [h("span", {}, h("i", { style: `background:${revenueColor(0, 1)}` }), "low revenue"), h("span", {}, h("i", { style: `background:${revenueColor(1, 1)}` }), money(maxRevenue))],
    h("span", { class: "muted" }, "Size: members. Links: relationships crossing between communities. Click a community to open it."),
  );
  const page = h(
    "div",
    {},
    h("h1", {}, "Community map"),
    h("p", { class: "muted", "data-testid": "map-cap" }, map.truncated ? `The ${String(map.nodes.length)} largest of ${String(map.total)} communities.` : `All ${String(map.total)} communities.`),
    form,
    colorToggle,
    legend,
    container,
    card(
      "Communities",
      table(
        ["Community", "Members", "Dominant tier", "Density", "Conductance", "Revenue", "Engagement"],
        map.nodes.slice(0, 50).map((n) => [communityLink(n.community_id), count(n.size), tierBadge(n.dominant_tier), score(n.density), score(n.conductance), money(n.revenue_total), score(n.engagement_mean)]),
        "community-table",
      ),
    ),
  );
  // sigma needs its container in the document with a size: draw on the next frame
  requestAnimationFrame(() => {
    if (!container.isConnected) return;
    // LinLog with dissuaded hubs: communities that share many links sit together, and
    // the big ones do not pull everything into one ball
    const drawing = draw(container, graph, {
      name: "community-map",
      started, fetched,
      onClick: open,
      layout: { linLogMode: true, outboundAttractionDistribution: true, scalingRatio: 10, gravity: 0.5 },
    });
    ctx.onLeave(drawing.kill);
  });
  return page;
};
