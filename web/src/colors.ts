// Colours: one per tier (the legend everywhere), and a revenue scale.
import type { Tier } from "./types";

export const TIER_COLORS: Record<Tier, string> = {
  employee: "#7c3aed",
  kol: "#dc2626",
  koc: "#f59e0b",
  consumer: "#64748b",
};

export const UNSCORED = "#cbd5e1";

export function tierColor(tier: Tier | null | undefined): string {
  return tier ? TIER_COLORS[tier] : UNSCORED;
}

/** Sequential blue scale over [0, max] on a square-root axis (revenue is skewed). */
export function revenueColor(value: number, max: number): string {
  const t = max > 0 ? Math.sqrt(Math.max(0, Math.min(value, max)) / max) : 0;
  const from = [219, 234, 254];
  const to = [30, 64, 175];
  const mix = from.map((a, i) => Math.round(a + ((to[i] ?? a) - a) * t));
  return `rgb(${mix.join(", ")})`;
}

/** Node size in pixels: `value` placed between the smallest and largest value drawn
 * (`low`, `high`) on a square-root scale from `min` to `max` px. */
export function sizeFor(value: number, low: number, high: number, min = 3, max = 18): number {
  if (!(high > low)) return (min + max) / 2;
  const t = (Math.min(Math.max(value, low), high) - low) / (high - low);
  return min + (max - min) * Math.sqrt(t);
}
