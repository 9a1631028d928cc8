// Shared pieces of the pages: tier badges, person links, errors, the shortlist button.
import { tierColor } from "./colors";
import { h } from "./dom";
import * as shortlist from "./shortlist";
import type { Tier } from "./types";

export function tierBadge(tier: Tier | null | undefined, level?: string | null): HTMLElement {
  const text = tier ? `${tier.toUpperCase()}${level ? ` · ${level}` : ""}` : "not scored";
  return h("span", { class: "badge", style: `background:${tierColor(tier)}` }, text);
}

export function personLink(id: string, name?: string | null): HTMLElement {
  return h("a", { href: `/customers/${encodeURIComponent(id)}`, "data-link": true, title: id }, name ?? id);
}

export function communityLink(id: number | null | undefined): HTMLElement | string {
  return id === null || id === undefined ? "–" : h("a", { href: `/communities/${String(id)}`, "data-link": true }, `#${String(id)}`);
}

export function errorBox(error: unknown): HTMLElement {
  const message = error instanceof Error ? error.message : String(error);
  return h("div", { class: "error", role: "alert" }, message);
}

export function loading(text = "Loading…"): HTMLElement {
  return h("div", { class: "loading" }, text);
}

/** A "+ shortlist" toggle for a person; the shortlist lives in sessionStorage. */
export function shortlistButton(person: shortlist.Shortlisted): HTMLButtonElement {
  const isIn = (): boolean => shortlist.load(sessionStorage).some((p) => p.id === person.id);
  const button = h("button", { class: "small", type: "button", "data-testid": `shortlist-${person.id}` });
  const label = (): void => {
    button.textContent = isIn() ? "✓ shortlisted" : "+ shortlist";
    button.classList.toggle("active", isIn());
  };
  button.addEventListener("click", () => {
    shortlist.toggle(sessionStorage, person);
    label();
    window.dispatchEvent(new CustomEvent("shortlist-changed"));
  });
  label();
  return button;
}

/** Fill `slot` with what `load` builds, or with the error it raised. */
export async function fill(slot: HTMLElement, load: () => Promise<Node>): Promise<void> {
  slot.replaceChildren(loading());
  try {
    slot.replaceChildren(await load());
  } catch (error) {
    slot.replaceChildren(errorBox(error));
  }
}
