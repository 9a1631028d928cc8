// Networks drawn with sigma.js (WebGL) over a graphology graph, laid out by ForceAtlas2.
import Graph from "graphology";
import forceAtlas2 from "graphology-layout-forceatlas2";
import Sigma from "sigma";
import { sizeFor } from "./colors";

export interface DrawNode {
  id: string;
  label: string;
  color: string;
  value: number;
  /** Shown with its label whatever the zoom (the centre of an ego network, say). */
  highlighted?: boolean;
}

export interface DrawLink {
  source: string;
  target: string;
  color: string;
  weight: number;
}

export const LINK_COLORS = { FOLLOWS: "#cbd5e1", SHARED_TO: "#60a5fa", REFERRED: "#34d399", community: "#94a3b8" } as const;

/** Deterministic start position of a node on a disc (a hash of its id): the same
 * network is laid out the same way every time. */
export function seedPosition(id: string): { x: number; y: number } {
  let h = 2166136261;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  const u = ((h >>> 0) % 100_000) / 100_000;
  const v = ((Math.imul(h, 2654435761) >>> 0) % 100_000) / 100_000;
  const r = Math.sqrt(u) * 100;
  return { x: r * Math.cos(2 * Math.PI * v), y: r * Math.sin(2 * Math.PI * v) };
}

/** ForceAtlas2 iterations for a graph of `order` nodes: fewer for big graphs, so the
 * first paint stays under 2 s for a few thousand nodes. */
export function layoutIterations(order: number): number {
  if (order <= 200) return 300;
  if (order <= 1000) return 120;
  return 60;
}

/** The graphology graph of a network: one edge per ordered pair (parallel types are
 * merged, their weights summed), links to unknown nodes and self-loops dropped. */
export function buildGraph(nodes: readonly DrawNode[], links: readonly DrawLink[]): Graph {
  const graph = new Graph({ type: "directed", multi: false, allowSelfLoops: false });
  const values = nodes.map((n) => n.value);
  const low = Math.min(...values);
  const high = Math.max(...values);
  // big networks get smaller dots, so that they do not cover each other
  const [minPx, maxPx] = nodes.length > 300 ? [1.5, 10] : [3, 18];
  for (const node of nodes) {
    if (graph.hasNode(node.id)) continue;
    graph.addNode(node.id, {
      ...seedPosition(node.id),
      label: node.label,
      color: node.color,
      size: sizeFor(node.value, low, high, minPx, maxPx),
      forceLabel: node.highlighted === true,
      value: node.value,
    });
  }
  for (const link of links) {
    if (link.source === link.target || !graph.hasNode(link.source) || !graph.hasNode(link.target)) continue;
    const existing = graph.edge(link.source, link.target);
    if (existing !== undefined) {
      graph.updateEdgeAttribute(existing, "weight", (w: unknown) => (typeof w === "number" ? w : 0) + link.weight);
    } else {
      graph.addEdge(link.source, link.target, { color: link.color, weight: link.weight, size: 1 });
    }
  }
  const weightOf = (attrs: Record<string, unknown>): number => (typeof attrs.weight === "number" ? attrs.weight : 1);
  let heaviest = 0;
  graph.forEachEdge((_edge, attrs) => {
    heaviest = Math.max(heaviest, weightOf(attrs));
  });
  graph.forEachEdge((edge, attrs) => {
    graph.setEdgeAttribute(edge, "size", 0.5 + 3.5 * Math.sqrt(weightOf(attrs) / Math.max(1, heaviest)));
  });
  return graph;
}

export interface Timing {
  name: string;
  ms: number;
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
  options: { name: string; started: number; onClick?: (node: string) => void; arrows?: boolean },
): Drawing {
  if (graph.order > 1) {
    forceAtlas2.assign(graph, {
      iterations: layoutIterations(graph.order),
      settings: { ...forceAtlas2.inferSettings(graph), barnesHutOptimize: graph.order > 300 },
      getEdgeWeight: null,
    });
  }
  let hovered: string | null = null;
  let neighbours = new Set<string>();
  const sigma = new Sigma(graph, container, {
    defaultEdgeType: options.arrows ? "arrow" : "line",
    labelRenderedSizeThreshold: 9,
    labelDensity: 0.25,
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
  requestAnimationFrame(() => {
    recordTiming({ name: options.name, ms: performance.now() - options.started, nodes: graph.order, edges: graph.size });
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
