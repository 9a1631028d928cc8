// The explorer's shell: sign-in gate, navigation (History API), one page at a time.
import "./style.css";
import { api, ApiError, keyStore } from "./api";
import type { Context, Page } from "./context";
import { h } from "./dom";
import { campaignPage, campaignsPage } from "./pages/campaigns";
import { communitiesPage } from "./pages/communities";
import { communityPage } from "./pages/community";
import { customerPage } from "./pages/customer";
import { overviewPage } from "./pages/overview";
import { plannerPage } from "./pages/planner";
import { referralsPage } from "./pages/referrals";
import { signinPage } from "./pages/signin";
import { href, parse, type Route } from "./route";
import type { Session } from "./types";
import { errorBox, loading } from "./ui";

const app = document.getElementById("app") as HTMLElement;
let session: Session | null = null;
let cleanups: (() => void)[] = [];

const PAGES: Record<Exclude<Route["page"], "signin" | "notfound">, Page> = {
  overview: overviewPage,
  communities: communitiesPage,
  community: communityPage,
  customer: customerPage,
  planner: plannerPage,
  referrals: referralsPage,
  campaigns: campaignsPage,
  campaign: campaignPage,
};

const TITLES: Record<Route["page"], string> = {
  overview: "Overview",
  signin: "Sign in",
  communities: "Community map",
  community: "Community",
  customer: "Customer",
  planner: "Influencer finder & campaign planner",
  referrals: "Referrals",
  campaigns: "Campaigns",
  campaign: "Campaign",
  notfound: "Not found",
};

function navigate(to: string): void {
  if (to !== location.pathname + location.search) history.pushState(null, "", to);
  void show();
}

function signOut(): void {
  keyStore.clear();
  session = null;
  navigate("/signin");
}

function nav(current: Route, me: Session): HTMLElement {
  const may = new Set(me.permissions);
  const item = (path: string, label: string, pages: Route["page"][], permission: string): HTMLElement | null =>
    may.has(permission)
      ? h("a", { href: path, "data-link": true, class: pages.includes(current.page) ? "active" : "" }, label)
      : null;
  return h(
    "header",
    { class: "topbar" },
    h("a", { href: "/", "data-link": true, class: "brand" }, "graph_engine"),
    h(
      "nav",
      {},
      item("/", "Overview", ["overview"], "read"),
      item("/communities", "Communities", ["communities", "community"], "read"),
      item("/planner", "Planner", ["planner"], "plan"),
      item("/referrals", "Referrals", ["referrals"], "plan"),
      item("/campaigns", "Campaigns", ["campaigns", "campaign"], "plan"),
    ),
    h(
      "div",
      { class: "who", "data-testid": "who" },
      `${me.name ?? me.key_id} · ${me.role}${me.pii ? " · PII" : ""}`,
      h("button", { class: "small", type: "button", onclick: signOut, "data-testid": "signout" }, "Sign out"),
    ),
  );
}

async function show(): Promise<void> {
  for (const cleanup of cleanups) cleanup();
  cleanups = [];
  const route = parse(location.pathname, location.search);
  document.title = `${TITLES[route.page]} · graph_engine`;
  if (route.page === "signin") {
    app.replaceChildren(signinPage(route.next, async (key) => {
      keyStore.set(key);
      try {
        session = await api.session();
      } catch (error) {
        keyStore.clear();
        throw error;
      }
      navigate(route.next);
    }));
    return;
  }
  if (!keyStore.get()) {
    navigate(href({ page: "signin", next: location.pathname + location.search }));
    return;
  }
  try {
    session ??= await api.session();
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      keyStore.clear();
      navigate(href({ page: "signin", next: location.pathname + location.search }));
      return;
    }
    app.replaceChildren(errorBox(error));
    return;
  }
  const me = session;
  const main = h("main", { "data-page": route.page }, loading());
  app.replaceChildren(nav(route, me), main);
  if (route.page === "notfound") {
    main.replaceChildren(h("h1", {}, "Not found"), h("p", {}, `No page at ${route.path}.`));
    return;
  }
  const ctx: Context = {
    session: me,
    navigate,
    onLeave: (cleanup) => cleanups.push(cleanup),
    can: (permission) => me.permissions.includes(permission),
  };
  const needed = ["planner", "referrals", "campaigns", "campaign"].includes(route.page) ? "plan" : "read";
  if (!ctx.can(needed)) {
    main.replaceChildren(h("h1", {}, TITLES[route.page]), errorBox(new Error(`Your role (${me.role}) may not ${needed}; ask an admin for a key with that role.`)));
    return;
  }
  try {
    const page = await PAGES[route.page](route, ctx);
    if (main.isConnected) main.replaceChildren(page);
  } catch (error) {
    main.replaceChildren(errorBox(error));
  }
}

// Links marked data-link navigate inside the app; everything else is a normal link.
document.addEventListener("click", (event) => {
  const target = event.target instanceof Element ? event.target.closest("a[data-link]") : null;
  if (!(target instanceof HTMLAnchorElement) || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
  event.preventDefault();
  navigate(target.getAttribute("href") ?? "/");
});
window.addEventListener("popstate", () => void show());
void show();
