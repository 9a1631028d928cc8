// Sign in with an API key (kept in sessionStorage for this browser session only).
import { ApiError } from "../api";
import { h } from "../dom";

export function signinPage(next: string, submit: (key: string) => Promise<void>): HTMLElement {
  const input = h("input", { type: "password", name: "key", autocomplete: "off", placeholder: "ge_…", required: true, "data-testid": "key" });
  const message = h("p", { class: "error-text", role: "alert" });
  const form = h(
    "form",
    { class: "signin card" },
    h("h1", {}, "graph_engine explorer"),
    h("p", {}, "Sign in with an API key (", h("code", {}, "graph-engine keys create --role marketer"), "). It is kept for this browser session only."),
    h("label", {}, "API key", input),
    h("button", { type: "submit", "data-testid": "signin" }, "Sign in"),
    message,
    next !== "/" ? h("p", { class: "muted" }, `You will continue to ${next}.`) : null,
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    message.textContent = "";
    submit(input.value.trim()).catch((error: unknown) => {
      message.textContent =
        error instanceof ApiError && error.status === 401 ? "That key is not valid (unknown or revoked)." : error instanceof Error ? error.message : String(error);
    });
  });
  return h("main", { "data-page": "signin" }, form);
}
