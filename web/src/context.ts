// What every page gets: the session, navigation, and a place to register cleanups
// (a WebGL renderer must be killed when its page goes).
import type { Route } from "./route";
import type { Session } from "./types";

export interface Context {
  session: Session;
  navigate(to: string): void;
  onLeave(cleanup: () => void): void;
  /** Whether the key's role may do `permission` (the server enforces it anyway). */
  can(permission: "read" | "plan" | "ingest" | "admin"): boolean;
}

export type Page = (route: Route, ctx: Context) => Promise<HTMLElement>;
