// The marketer's shortlist: kept for the browser session, shared by the pages.

const KEY = "graph_engine.shortlist";

export interface Shortlisted {
  id: string;
  name: string | null;
  tier: string | null;
}

export function load(storage: Pick<Storage, "getItem">): Shortlisted[] {
  try {
    const parsed: unknown = JSON.parse(storage.getItem(KEY) ?? "[]");
    return Array.isArray(parsed)
      ? parsed.filter((x): x is Shortlisted => typeof x === "object" && x !== null && typeof (x as Shortlisted).id === "string")
      : [];
  } catch {
    return [];
  }
}

function save(storage: Pick<Storage, "setItem">, list: Shortlisted[]): Shortlisted[] {
  storage.setItem(KEY, JSON.stringify(list));
  return list;
}

/** Add (once) or remove a person; returns the new list. */
export function toggle(storage: Pick<Storage, "getItem" | "setItem">, person: Shortlisted): Shortlisted[] {
  const list = load(storage);
  const without = list.filter((p) => p.id !== person.id);
  return save(storage, without.length === list.length ? [...list, person] : without);
}

export function clear(storage: Pick<Storage, "setItem">): Shortlisted[] {
  return save(storage, []);
}

/** Overlap matrix of a shortlist report: matrix[i][j] = expected people reached by both. */
export function overlapMatrix(
  ids: readonly string[],
  overlap: readonly { a: string; b: string; shared: number }[],
  alone: ReadonlyMap<string, number>,
): number[][] {
  const index = new Map(ids.map((id, i) => [id, i]));
  const matrix = ids.map((id) => ids.map((other) => (other === id ? (alone.get(id) ?? 0) : 0)));
  for (const { a, b, shared } of overlap) {
    const i = index.get(a);
    const j = index.get(b);
    if (i === undefined || j === undefined) continue;
    const row = matrix[i];
    const col = matrix[j];
    if (row) row[j] = shared;
    if (col) col[i] = shared;
  }
  return matrix;
}
