// Numbers as a marketer reads them.

const compact = new Intl.NumberFormat("en", { notation: "compact", maximumFractionDigits: 1 });
const whole = new Intl.NumberFormat("en", { maximumFractionDigits: 0 });

/** 1234 -> "1.2K", 300000 -> "300K"; below 1000 as is, rounded. */
export function count(value: number | null | undefined): string {
  if (value === null || value === undefined || Number.isNaN(value)) return "–";
  return Math.abs(value) < 1000 ? whole.format(value) : compact.format(value);
}

/** A share in [0, 1] as a percentage with `digits` decimals. */
export function percent(value: number | null | undefined, digits = 1): string {
  if (value === null || value === undefined || Number.isNaN(value)) return "–";
  return `${(value * 100).toFixed(digits)}%`;
}

/** A score with 3 significant digits (0.000123 -> "0.000123", 35.84 -> "35.8"). */
export function score(value: number | null | undefined): string {
  if (value === null || value === undefined || Number.isNaN(value)) return "–";
  if (value === 0) return "0";
  return Number(value.toPrecision(3)).toString();
}

const cents = new Intl.NumberFormat("en", { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** Money in the store's currency: whole units with grouping, cents below ¥100. */
export function money(value: number | null | undefined): string {
  if (value === null || value === undefined || Number.isNaN(value)) return "–";
  return `¥${Math.abs(value) < 100 ? cents.format(value) : whole.format(value)}`;
}

/** "mean (low – high)" of an estimate with its 95% interval. */
export function interval(mean: number, ci: readonly [number, number]): string {
  return `${score(mean)} (95% CI ${score(ci[0])} – ${score(ci[1])})`;
}

/** An ISO time as "2026-11-30 01:47 UTC". */
export function when(iso: string | null | undefined): string {
  if (!iso) return "–";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}
