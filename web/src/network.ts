// Networks as graphology graphs: what the explorer draws (graph.ts renders them). No
// WebGL here, so this runs (and is tested) outside a browser.
import Graph from "graphology";
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
  return 40;
}

/** The graphology graph of a network: one edge per ordered pair (parallel types are
 * merged, their weights summed), links to unknown nodes and self-loops dropped. */
export function buildGraph(
  nodes: readonly DrawNode[],
  links: readonly DrawLink[],
  sizeRange?: readonly [number, number],
): Graph {
  const graph = new Graph({ type: "directed", multi: false, allowSelfLoops: false });
  const values = nodes.map((n) => n.value);
  const low = Math.min(...values);
  const high = Math.max(...values);
  // big networks get smaller dots, so that they do not cover each other
  const [minPx, maxPx] = sizeRange ?? (nodes.length > 300 ? [1.5, 10] : [3, 18]);
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
