// Networks drawn with sigma.js (WebGL) over a graphology graph, laid out by ForceAtlas2.
import type Graph from "graphology";
import forceAtlas2, { type ForceAtlas2Settings } from "graphology-layout-forceatlas2";
import Sigma from "sigma";
import { layoutIterations } from "./network";

export interface Timing {
  name: string;
  /** From the page's request for the data to the first frame on screen. */
  ms: number;
  /** Of which: the API answers arriving (parsed), the ForceAtlas2 layout, and sigma's
   * first render. */
  dataMs: number;
  layoutMs: number;
  renderMs: number;
  nodes: number;
  edges: number;
}

declare global {
  interface Window {
    __explorerTimings?: Timing[];
  }
}

/** Record how long a drawing took from `started` to its first rendered frame. */
export function recordTiming(timing: Timing): void {
  (window.__explorerTimings ??= []).push(timing);
  performance.mark(`explorer:${timing.name}`, { detail: timing });
}

export interface Drawing {
  sigma: Sigma;
  graph: Graph;
  kill: () => void;
}

/** Lay the graph out and draw it in `container`; clicking a node calls `onClick`.
 * Hovering a node dims everything but it and its neighbours. */
export function draw(
  container: HTMLElement,
  graph: Graph,
  options: {
    name: string;
    started: number;
    /** When the page had its data (performance.now()). */
    fetched?: number;
    onClick?: (node: string) => void;
    arrows?: boolean;
    /** ForceAtlas2 settings over the inferred ones (the community map spreads clusters). */
    layout?: ForceAtlas2Settings;
  },
): Drawing {
  const layoutStart = performance.now();
  if (graph.order > 1) {
    forceAtlas2.assign(graph, {
      iterations: layoutIterations(graph.order),
      settings: { ...forceAtlas2.inferSettings(graph), barnesHutOptimize: graph.order > 300, ...options.layout },
      getEdgeWeight: null,
    });
  }
  const layoutMs = performance.now() - layoutStart;
  const renderStart = performance.now();
  let hovered: string | null = null;
  let neighbours = new Set<string>();
  const sigma = new Sigma(graph, container, {
    defaultEdgeType: options.arrows ? "arrow" : "line",
    labelRenderedSizeThreshold: 9,
    labelDensity: 0.25,
    // big networks: draw edges and labels only once the camera stops (keeps panning smooth)
    hideEdgesOnMove: graph.size > 2000,
    hideLabelsOnMove: graph.order > 1000,
    zIndex: true,
    nodeReducer: (node, data) => {
      if (hovered === null || node === hovered || neighbours.has(node)) return { ...data, zIndex: node === hovered ? 2 : 1 };
      return { ...data, color: "#e5e7eb", label: "", zIndex: 0 };
    },
    edgeReducer: (edge, data) => {
      if (hovered === null) return data;
      const [s, t] = graph.extremities(edge);
      return s === hovered || t === hovered ? data : { ...data, hidden: true };
    },
  });
  // sigma renders its first frame in the constructor; it is on screen at the next frame
  const renderMs = performance.now() - renderStart;
  requestAnimationFrame(() => {
    const dataMs = (options.fetched ?? options.started) - options.started;
    recordTiming({ name: options.name, ms: performance.now() - options.started, dataMs, layoutMs, renderMs, nodes: graph.order, edges: graph.size });
    container.dataset.rendered = "true";
  });
  sigma.on("enterNode", ({ node }) => {
    hovered = node;
    neighbours = new Set(graph.neighbors(node));
    sigma.refresh({ skipIndexation: true });
  });
  sigma.on("leaveNode", () => {
    hovered = null;
    neighbours = new Set();
    sigma.refresh({ skipIndexation: true });
  });
  if (options.onClick) {
    const onClick = options.onClick;
    sigma.on("clickNode", ({ node }) => {
      onClick(node);
    });
  }
  return {
    sigma,
    graph,
    kill: () => {
      sigma.kill();
    },
  };
}
