// Overview: the current run, tier counts, top KOLs / KOCs / employees with their reasons,
// the largest communities, and what recent ingests quarantined.
import { api } from "../api";
import { TIER_COLORS } from "../colors";
import type { Page } from "../context";
import { card, h, stat, table } from "../dom";
import { count, money, percent, score, when } from "../format";
import type { Job, Score, Tier } from "../types";
import { communityLink, errorBox, personLink, tierBadge } from "../ui";

/** Poll a recompute job until it ends, showing its stage and progress. */
async function follow(job: Job, show: (job: Job) => void, pause = 500): Promise<Job> {
  let current = job;
  show(current);
  while (current.state === "queued" || current.state === "running") {
    await new Promise((resolve) => setTimeout(resolve, pause));
    current = await api.job(current.job_id);
    show(current);
  }
  return current;
}

/** Admins: start a recompute and watch it run; the page reloads when it is published. */
function recomputeControl(reload: () => void): HTMLElement {
  const button = h("button", { type: "button", "data-testid": "recompute" }, "Recompute now");
  const bar = h("progress", { max: 100, value: 0, "data-testid": "recompute-progress" });
  const label = h("span", { class: "muted", role: "status", "data-testid": "recompute-status" });
  const slot = h("div", {});
  button.addEventListener("click", () => {
    button.disabled = true;
    slot.replaceChildren();
    api
      .recompute()
      .then((job) =>
        follow(job, (j) => {
          bar.value = j.progress;
          label.textContent = `${j.state}${j.stage ? ` · ${j.stage}` : ""} · ${j.progress.toFixed(0)}%`;
        }),
      )
      .then((job) => {
        if (job.state === "succeeded") reload();
        else slot.replaceChildren(errorBox(new Error(job.error ?? "the recompute failed")));
      })
      .catch((error: unknown) => {
        slot.replaceChildren(errorBox(error));
      })
      .finally(() => {
        button.disabled = false;
      });
  });
  return h("div", { class: "toolbar" }, button, bar, label, slot);
}

function people(rows: Score[] | undefined, testid: string): HTMLElement {
  if (!rows?.length) return h("p", { class: "muted" }, "Nobody in this tier.");
  return table(
    ["Customer", "Tier", "Social value", "Audience", "Reach", "Why"],
    rows.map((r) => [personLink(r.customer_id, r.name), tierBadge(r.tier, r.tier_level), money(r.social_value), count(r.audience), score(r.expected_reach), h("span", { class: "reason" }, r.tier_reason)]),
    testid,
  );
}

export const overviewPage: Page = async (_route, ctx) => {
  const o = await api.overview();
  const run = o.run;
  const heading = h("h1", {}, "Overview");
  if (!run) {
    return h(
      "div",
      {},
      heading,
      card(
        "No run yet",
        h("p", {}, "Ingest events and run ", h("code", {}, "graph-engine compute"), " (or POST /v1/jobs/recompute) to score customers."),
        ctx.can("admin") ? recomputeControl(() => { ctx.navigate("/"); }) : null,
      ),
    );
  }
  const totalCustomers = o.tiers.reduce((sum, t) => sum + t.customers, 0);
  const tierCounts = new Map<Tier, number>();
  for (const t of o.tiers) tierCounts.set(t.tier, (tierCounts.get(t.tier) ?? 0) + t.customers);
  const engine = typeof run.config.engine === "string" ? run.config.engine : "python";
  const engineVersion = typeof run.config.engine_version === "string" ? ` ${run.config.engine_version}` : "";
  const seconds = Object.values(run.timings).reduce<number>((s, v) => s + (typeof v === "number" ? v : 0), 0);
  const tierBar = h(
    "div",
    { class: "tierbar", "data-testid": "tier-bar" },
    (["employee", "kol", "koc", "consumer"] as const).map((tier) => {
      const n = tierCounts.get(tier) ?? 0;
      return n ? h("span", { style: `flex:${String(Math.max(n / totalCustomers, 0.02))};background:${TIER_COLORS[tier]}`, title: `${tier}: ${count(n)}` }) : null;
    }),
  );
  return h(
    "div",
    {},
    heading,
    h(
      "div",
      { class: "stats", "data-testid": "run" },
      stat("Current run", `#${String(run.seq)}`, "run-seq"),
      stat("Finished", when(run.finished_at)),
      stat("Engine", `${engine}${engineVersion}`, "run-engine"),
      stat("Compute time", `${seconds.toFixed(1)} s`),
      stat(o.stats_as_of === "run" ? "Customers (at this run)" : "Customers", count(o.stats.customers)),
      stat("Relationships", count(Object.values(o.stats.edges).reduce((a, b) => a + b, 0))),
      stat("Orders", count(o.stats.orders)),
      stat("Identity merges", count(o.stats.merges)),
    ),
    ctx.can("admin") ? card("Recompute", h("p", { class: "muted" }, "Recompute every score from the store and publish a new run (readers keep the current run until then)."), recomputeControl(() => { ctx.navigate("/"); })) : null,
    card(
      "Tiers",
      tierBar,
      table(
        ["Tier", "Level", "Customers", "Share", "Mean social value", "Revenue", "Audience"],
        o.tiers.map((t) => [tierBadge(t.tier), t.tier_level ?? "–", count(t.customers), percent(t.customers / totalCustomers), money(t.social_value_mean), money(t.revenue_total), count(t.audience_total)]),
        "tiers",
      ),
    ),
    h(
      "div",
      { class: "grid" },
      card("Top KOLs", people(o.top.kol, "top-kol")),
      card("Top KOCs", people(o.top.koc, "top-koc")),
      card("Top employees", people(o.top.employee, "top-employee")),
      card(
        "Largest communities",
        table(
          ["Community", "Members", "Density", "Conductance", "Revenue", "Key influencer"],
          o.communities.map((c) => {
            const top = c.top_influencers[0];
            return [communityLink(c.community_id), count(c.size), score(c.density), score(c.conductance), money(c.revenue_total), top ? personLink(top.id) : "–"];
          }),
          "top-communities",
        ),
        h("p", {}, h("a", { href: "/communities", "data-link": true }, "Open the community map →")),
      ),
    ),
    card(
      "Ingest and quarantine",
      h("p", {}, `${count(o.ingest.rejected_total)} rejected rows in the last ${String(o.ingest.runs.length)} ingest runs; each is kept in its quarantine file with file, line, field and reason.`),
      table(
        ["Finished", "Sources", "Accepted", "Rejected", "Duplicates", "Merges", "Quarantine file"],
        o.ingest.runs.map((r) => [when(r.finished_at), (r.sources ?? []).join(", "), count(r.accepted), count(r.rejected), count(r.duplicates), count(r.merges), h("code", {}, r.quarantine ?? "–")]),
        "ingest",
      ),
    ),
  );
};
