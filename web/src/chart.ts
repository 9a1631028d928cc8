// SVG charts: bars with an optional interval per bar (reach by hop, K by generation).
import { score } from "./format";

export interface Bar {
  label: string;
  value: number;
  low?: number;
  high?: number;
}

export interface BarGeometry {
  x: number;
  y: number;
  width: number;
  height: number;
  errorTop: number | null;
  errorBottom: number | null;
}

/** Bar rectangles in a width x height plot (y grows downwards, bars from the bottom);
 * the axis maximum covers values and interval tops. */
export function layoutBars(bars: readonly Bar[], width: number, height: number): BarGeometry[] {
  const max = Math.max(0, ...bars.map((b) => Math.max(b.value, b.high ?? 0)));
  const scale = max > 0 ? height / max : 0;
  const step = bars.length ? width / bars.length : 0;
  const barWidth = step * 0.7;
  return bars.map((b, i) => {
    const barHeight = Math.max(0, b.value) * scale;
    return {
      x: i * step + (step - barWidth) / 2,
      y: height - barHeight,
      width: barWidth,
      height: barHeight,
      errorTop: b.high === undefined ? null : height - b.high * scale,
      errorBottom: b.low === undefined ? null : height - b.low * scale,
    };
  });
}

const SVG = "http://www.w3.org/2000/svg";

function el(tag: string, attrs: Record<string, string | number>, text?: string): SVGElement {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

/** A bar chart with value labels, category labels and optional interval whiskers. */
export function barChart(bars: readonly Bar[], options: { title: string; color?: string; testid?: string }): SVGSVGElement {
  // room for the longest label under each bar
  const longest = Math.max(0, ...bars.map((b) => b.label.length));
  const width = Math.max(240, bars.length * Math.max(56, longest * 6.5 + 8));
  const height = 160;
  const pad = { top: 24, bottom: 28, left: 8, right: 8 };
  const svg = el("svg", {
    width: width + pad.left + pad.right,
    height: height + pad.top + pad.bottom,
    viewBox: `0 0 ${String(width + pad.left + pad.right)} ${String(height + pad.top + pad.bottom)}`,
    class: "chart",
    role: "img",
    "aria-label": options.title,
  }) as SVGSVGElement;
  if (options.testid) svg.setAttribute("data-testid", options.testid);
  svg.append(el("title", {}, options.title));
  const g = el("g", { transform: `translate(${String(pad.left)},${String(pad.top)})` });
  layoutBars(bars, width, height).forEach((geo, i) => {
    const bar = bars[i];
    if (!bar) return;
    g.append(el("rect", { x: geo.x, y: geo.y, width: geo.width, height: geo.height, fill: options.color ?? "#2563eb", class: "bar" }));
    if (geo.errorTop !== null && geo.errorBottom !== null) {
      const cx = geo.x + geo.width / 2;
      g.append(el("line", { x1: cx, x2: cx, y1: geo.errorTop, y2: geo.errorBottom, stroke: "#111827", "stroke-width": 1.5 }));
      for (const y of [geo.errorTop, geo.errorBottom]) {
        g.append(el("line", { x1: cx - 5, x2: cx + 5, y1: y, y2: y, stroke: "#111827", "stroke-width": 1.5 }));
      }
    }
    g.append(el("text", { x: geo.x + geo.width / 2, y: Math.min(geo.y, geo.errorTop ?? geo.y) - 4, "text-anchor": "middle", class: "chart-value" }, score(bar.value)));
    g.append(el("text", { x: geo.x + geo.width / 2, y: height + 18, "text-anchor": "middle", class: "chart-label" }, bar.label));
  });
  svg.append(g);
  return svg;
}

/** Reach by hop as bars: seeds, hop 1 ... hop `shown - 1`, then one bar for the rest
 * (the long tail of a cascade is many hops of a fraction of a person each). */
export function hopBars(byHop: readonly number[], shown = 8): Bar[] {
  const bars: Bar[] = byHop.slice(0, shown).map((value, i) => ({ label: i === 0 ? "seeds" : `hop ${String(i)}`, value }));
  const rest = byHop.slice(shown).reduce((sum, v) => sum + v, 0);
  if (byHop.length > shown) bars.push({ label: `hop ${String(shown)}+`, value: rest });
  return bars;
}
