// A community: profile, key influencers and bridges, the members' graph, lift of a
// segment, export of the members as CSV.
import { api } from "../api";
import { TIER_COLORS, tierColor } from "../colors";
import type { Page } from "../context";
import { toCsv, download } from "../csv";
import { card, h, stat, table } from "../dom";
import { count, money, percent, score } from "../format";
import { draw } from "../graph";
import { buildGraph, LINK_COLORS } from "../network";
import { href } from "../route";
import type { Score } from "../types";
import { errorBox, fill, personLink, shortlistButton, tierBadge } from "../ui";

export const MEMBER_COLUMNS = ["customer_id", "name", "tier", "tier_level", "social_value", "influence", "expected_reach", "audience", "participation", "revenue", "bridge", "conversions", "tier_reason"] as const;

/** Every member of a community, page by page (the API's cursor). */
async function allMembers(id: number, onProgress: (n: number) => void): Promise<Score[]> {
  const rows: Score[] = [];
  let cursor: string | null | undefined;
  do {
    const page = await api.members(id, { limit: 1000, cursor, sort: "social_value" });
    rows.push(...page.data);
    onProgress(rows.length);
    cursor = page.next;
  } while (cursor);
  return rows;
}

export const communityPage: Page = async (route, ctx) => {
  if (route.page !== "community") throw new Error("wrong route");
  const started = performance.now();
  const [profiles, network, influencers] = await Promise.all([
    api.community(route.id),
    api.communityGraph(route.id, route.limit),
    api.communityInfluencers(route.id, 10),
  ]);
  const fetched = performance.now();
  const p = profiles.data[0];
  if (!p) throw new Error(`no community ${String(route.id)}`);
  const container = h("div", { class: "graph", "data-testid": "community-graph" });
  const graph = buildGraph(
    network.nodes.map((n) => ({ id: n.id, label: n.name ?? n.id, color: tierColor(n.tier), value: n.social_value ?? 0 })),
    network.links.map((l) => ({ source: l.source, target: l.target, color: LINK_COLORS[l.type], weight: l.weight })),
  );

  const exportButton = h("button", { type: "button", "data-testid": "export-members" }, "Export members (CSV)");
  const exportStatus = h("span", { class: "muted", role: "status" });
  exportButton.addEventListener("click", () => {
    exportButton.disabled = true;
    allMembers(route.id, (n) => {
      exportStatus.textContent = `${count(n)} of ${count(p.size)} members…`;
    })
      .then((rows) => {
        download(`community-${String(route.id)}-members.csv`, toCsv(rows, MEMBER_COLUMNS));
        exportStatus.textContent = `${count(rows.length)} members exported.`;
      })
      .catch((error: unknown) => {
        exportStatus.replaceChildren(errorBox(error));
      })
      .finally(() => {
        exportButton.disabled = false;
      });
  });

  const liftSlot = h("div", {});
  const liftInput = h("input", { type: "text", placeholder: "tag (e.g. skincare) or campaign:ID", "data-testid": "lift-segment" });
  const liftForm = h("form", { class: "toolbar" }, liftInput, h("button", { type: "submit" }, "Compute lift"));
  liftForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const value = liftInput.value.trim();
    const body = value.startsWith("campaign:") ? { campaign: value.slice(9), min_size: 5 } : { tag: value, min_size: 5 };
    void fill(liftSlot, async () => {
      const lift = await api.lift(body);
      const mine = lift.data.find((r) => r.community_id === route.id);
      return h(
        "div",
        { "data-testid": "lift-result" },
        h(
          "p",
          {},
          mine
            ? `This community: ${count(mine.members)} of ${count(mine.size)} members are in the segment (${percent(mine.rate)} against ${percent(lift.base_rate)} overall): lift ${score(mine.lift)}, ${mine.significant ? "significant" : "not significant"} (q = ${score(mine.q_value)}).`
            : "Nobody here is in the segment.",
        ),
        table(
          ["Community", "Members", "In segment", "Rate", "Lift", "p", "q", `Significant (q < ${String(lift.alpha)})`],
          lift.data.slice(0, 10).map((r) => [
            r.community_id === route.id ? h("strong", {}, `#${String(r.community_id)}`) : h("a", { href: `/communities/${String(r.community_id)}`, "data-link": true }, `#${String(r.community_id)}`),
            count(r.size),
            count(r.members),
            percent(r.rate),
            score(r.lift),
            score(r.p_value),
            score(r.q_value),
            r.significant ? "yes" : "",
          ]),
          "lift-table",
        ),
      );
    });
  });

  const shown = network.nodes.length;
  const page = h(
    "div",
    {},
    h("p", {}, h("a", { href: "/communities", "data-link": true }, "← Community map")),
    h("h1", {}, `Community #${String(p.community_id)}`),
    h(
      "div",
      { class: "stats", "data-testid": "community-profile" },
      stat("Members", count(p.size)),
      stat("Density", score(p.density)),
      stat("Conductance", score(p.conductance)),
      stat("Revenue", money(p.revenue_total)),
      stat("Revenue / member", money(p.revenue_mean)),
      stat("Engagement (mean)", score(p.engagement_mean)),
    ),
    h("div", { class: "tierbar" }, Object.entries(p.tier_mix).map(([tier, n]) => h("span", { style: `flex:${String(Math.max(n / p.size, 0.02))};background:${TIER_COLORS[tier as keyof typeof TIER_COLORS]}`, title: `${tier}: ${String(n)}` }))),
    h("p", {}, Object.entries(p.tier_mix).map(([tier, n]) => h("span", { class: "chip" }, `${tier} ${count(n)}`)), p.top_tags.map((t) => h("span", { class: "chip tag" }, `#${t.tag} ${count(t.count)}`))),
    card(
      "Members' network",
      h(
        "p",
        { class: "muted", "data-testid": "graph-cap" },
        network.truncated
          ? [
              `The ${count(shown)} most influential of ${count(p.size)} members (cap ${count(network.limit)}; `,
              h("a", { href: href({ page: "community", id: route.id, limit: Math.min(5000, network.limit * 4) }), "data-link": true }, "show more"),
              ")",
            ]
          : `All ${count(shown)} members`,
        `, ${count(network.links.length)} relationships. Colour: tier; size: social value; links: follows (grey), shares (blue), referrals (green). Click a person to open them.`,
      ),
      container,
    ),
    h(
      "div",
      { class: "grid" },
      card(
        "Key influencers",
        table(
          ["Customer", "Tier", "Expected reach", "Audience", ""],
          influencers.data.map((s) => [personLink(s.customer_id, s.name), tierBadge(s.tier, s.tier_level), score(s.expected_reach), count(s.audience), ctx.can("plan") ? shortlistButton({ id: s.customer_id, name: s.name ?? null, tier: s.tier }) : ""]),
          "key-influencers",
        ),
      ),
      card(
        "Bridges to other communities",
        table(["Customer", "Participation coefficient"], p.bridges.map((b) => [personLink(b.id), score(b.participation_coefficient)]), "bridges"),
        h("p", {}, "Most linked: ", p.linked_communities.map((l) => h("span", { class: "chip" }, h("a", { href: `/communities/${String(l.community_id)}`, "data-link": true }, `#${String(l.community_id)}`), ` ${count(l.edges)}`))),
      ),
    ),
    ctx.can("plan") ? card("Lift of a segment", h("p", { class: "muted" }, "Does this community over-index on a segment? (communities of at least 5 members)"), liftForm, liftSlot) : null,
    card("Export", h("div", { class: "toolbar" }, exportButton, exportStatus)),
  );
  requestAnimationFrame(() => {
    if (!container.isConnected) return;
    const drawing = draw(container, graph, {
      name: "community-graph",
      started, fetched,
      arrows: true,
      onClick: (id) => {
        ctx.navigate(href({ page: "customer", id }));
      },
    });
    ctx.onLeave(drawing.kill);
  });
  return page;
};
