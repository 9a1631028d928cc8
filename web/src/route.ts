// Routes: every page has a stable URL (path + query) so a view can be shared.

export type Route =
  | { page: "overview" }
  | { page: "signin"; next: string }
  | { page: "communities"; color: "tier" | "revenue"; q: string }
  | { page: "community"; id: number; limit: number }
  | { page: "customer"; id: string }
  | { page: "planner"; params: URLSearchParams }
  | { page: "referrals"; campaign: string | null }
  | { page: "campaigns" }
  | { page: "campaign"; id: string }
  | { page: "notfound"; path: string };

function int(value: string | null, fallback: number, min: number, max: number): number {
  const parsed = value === null ? Number.NaN : Number.parseInt(value, 10);
  return Number.isFinite(parsed) ? Math.min(max, Math.max(min, parsed)) : fallback;
}

/** The route of a path and query string. */
export function parse(pathname: string, search = ""): Route {
  const query = new URLSearchParams(search);
  const parts = pathname.split("/").filter(Boolean).map(decodeURIComponent);
  const [head, second] = parts;
  if (parts.length === 0) return { page: "overview" };
  if (head === "signin" && parts.length === 1) return { page: "signin", next: query.get("next") ?? "/" };
  if (head === "communities" && parts.length === 1) {
    return { page: "communities", color: query.get("color") === "revenue" ? "revenue" : "tier", q: query.get("q") ?? "" };
  }
  if (head === "communities" && parts.length === 2 && second !== undefined && /^\d+$/.test(second)) {
    return { page: "community", id: Number(second), limit: int(query.get("limit"), 500, 10, 5000) };
  }
  if (head === "customers" && parts.length === 2 && second) return { page: "customer", id: second };
  if (head === "planner" && parts.length === 1) return { page: "planner", params: query };
  if (head === "referrals" && parts.length <= 2) return { page: "referrals", campaign: second ?? null };
  if (head === "campaigns" && parts.length === 1) return { page: "campaigns" };
  if (head === "campaigns" && parts.length === 2 && second) return { page: "campaign", id: second };
  return { page: "notfound", path: pathname };
}

/** The URL of a route (inverse of parse for the pages a link points to). */
export function href(route: Route): string {
  switch (route.page) {
    case "overview":
      return "/";
    case "signin":
      return `/signin?next=${encodeURIComponent(route.next)}`;
    case "communities": {
      const query = new URLSearchParams();
      if (route.color !== "tier") query.set("color", route.color);
      if (route.q) query.set("q", route.q);
      const text = query.toString();
      return `/communities${text ? `?${text}` : ""}`;
    }
    case "community":
      return `/communities/${String(route.id)}${route.limit !== 500 ? `?limit=${String(route.limit)}` : ""}`;
    case "customer":
      return `/customers/${encodeURIComponent(route.id)}`;
    case "planner": {
      const text = route.params.toString();
      return `/planner${text ? `?${text}` : ""}`;
    }
    case "referrals":
      return route.campaign ? `/referrals/${encodeURIComponent(route.campaign)}` : "/referrals";
    case "campaigns":
      return "/campaigns";
    case "campaign":
      return `/campaigns/${encodeURIComponent(route.id)}`;
    case "notfound":
      return route.path;
  }
}
