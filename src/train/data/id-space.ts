/**
 * Original ids → dense indices, and the builder that turns (user, item,
 * value, time) rows into CSR interactions. Train and test files read with one
 * shared `IdSpace` get the same index for the same id, so a model fitted on
 * one is scored against the other without any remapping.
 * @module
 */
import type { Interactions } from '../model-types.js';

export class IdTable {
  readonly ids: string[] = [];
  private readonly index = new Map<string, number>();

  /** The index of `id`, adding it when new. */
  intern(id: string): number {
    let i = this.index.get(id);
    if (i === undefined) {
      i = this.ids.length;
      this.index.set(id, i);
      this.ids.push(id);
    }
    return i;
  }

  get(id: string): number | undefined {
    return this.index.get(id);
  }

  get size(): number {
    return this.ids.length;
  }
}

export interface IdSpace {
  users: IdTable;
  items: IdTable;
}

export function createIdSpace(): IdSpace {
  return { users: new IdTable(), items: new IdTable() };
}

/**
 * How a repeated (user, item) pair is merged: `last` keeps the latest
 * (ratings: a re-rating replaces the old one), `sum` adds (implicit counts),
 * `max` keeps the strongest signal.
 */
export type MergePolicy = 'last' | 'sum' | 'max';

export class InteractionsBuilder {
  private u: number[] = [];
  private i: number[] = [];
  private v: number[] = [];
  private t: number[] = [];

  constructor(readonly space: IdSpace) {}

  add(user: string, item: string, value: number, ts: number): void {
    this.u.push(this.space.users.intern(user));
    this.i.push(this.space.items.intern(item));
    this.v.push(value);
    this.t.push(ts);
  }

  get rows(): number {
    return this.u.length;
  }

  /** CSR over the id space as it is now; `merged` counts the rows folded into an earlier one. */
  build(policy: MergePolicy): { data: Interactions; merged: number } {
    return buildCsr(this.space, this.u, this.i, this.v, this.t, policy);
  }
}

function buildCsr(
  space: IdSpace,
  us: ArrayLike<number>,
  is: ArrayLike<number>,
  vs: ArrayLike<number>,
  ts: ArrayLike<number>,
  policy: MergePolicy,
): { data: Interactions; merged: number } {
  const nUsers = space.users.size;
  const n = us.length;
  const count = new Int32Array(nUsers + 1);
  for (let r = 0; r < n; r++) count[us[r]! + 1]!++;
  for (let u = 0; u < nUsers; u++) count[u + 1]! += count[u]!;
  // Row order within a user: by item, then by time, then by input order (stable sort).
  const order = new Int32Array(n);
  const fill = count.slice(0, nUsers);
  for (let r = 0; r < n; r++) order[fill[us[r]!]!++] = r;
  const rowPtr = new Int32Array(nUsers + 1);
  const col: number[] = [];
  const val: number[] = [];
  const time: number[] = [];
  let merged = 0;
  for (let u = 0; u < nUsers; u++) {
    const row = Array.from(order.subarray(count[u]!, count[u + 1]!));
    row.sort((a, b) => is[a]! - is[b]! || (ts[a]! || 0) - (ts[b]! || 0) || a - b);
    let last = -1;
    for (const r of row) {
      const item = is[r]!;
      if (item === last) {
        merged++;
        const k = col.length - 1;
        if (policy === 'sum') val[k]! += vs[r]!;
        else if (policy === 'max') val[k] = Math.max(val[k]!, vs[r]!);
        else val[k] = vs[r]!;
        if (!(ts[r]! <= time[k]!)) time[k] = ts[r]!;
        continue;
      }
      col.push(item);
      val.push(vs[r]!);
      time.push(ts[r]!);
      last = item;
    }
    rowPtr[u + 1] = col.length;
  }
  return {
    data: {
      userIds: space.users.ids.slice(),
      itemIds: space.items.ids.slice(),
      rowPtr,
      col: Int32Array.from(col),
      val: Float32Array.from(val),
      ts: Float64Array.from(time),
    },
    merged,
  };
}

/**
 * The same interactions over a larger id space (ids only ever get appended),
 * so data read before a second file grows the space lines up with it.
 */
export function widen(data: Interactions, space: IdSpace): Interactions {
  const nUsers = space.users.size;
  if (nUsers < data.userIds.length || space.items.size < data.itemIds.length)
    throw new Error('[tessera] [dataset] widen: the id space is smaller than the data');
  const rowPtr = new Int32Array(nUsers + 1);
  rowPtr.set(data.rowPtr);
  rowPtr.fill(data.rowPtr[data.userIds.length]!, data.userIds.length + 1);
  return { ...data, userIds: space.users.ids.slice(), itemIds: space.items.ids.slice(), rowPtr };
}

/** Builds interactions straight from parallel arrays of indices (splits and generators use it). */
export function fromTriples(
  userIds: string[],
  itemIds: string[],
  rows: { u: ArrayLike<number>; i: ArrayLike<number>; v: ArrayLike<number>; t: ArrayLike<number> },
  policy: MergePolicy = 'last',
): { data: Interactions; merged: number } {
  const space = createIdSpace();
  for (const id of userIds) space.users.intern(id);
  for (const id of itemIds) space.items.intern(id);
  return buildCsr(space, rows.u, rows.i, rows.v, rows.t, policy);
}

/** Number of entries. */
export function nnz(data: Interactions): number {
  return data.rowPtr[data.userIds.length]!;
}

/**
 * Two datasets over the union of their ids (the first's ids keep their
 * indices), so a model fitted on `a` can be scored against `b`.
 */
export function align(a: Interactions, b: Interactions): [Interactions, Interactions] {
  const space = createIdSpace();
  for (const id of a.userIds) space.users.intern(id);
  for (const id of a.itemIds) space.items.intern(id);
  const remapB = {
    users: Int32Array.from(b.userIds, (id) => space.users.intern(id)),
    items: Int32Array.from(b.itemIds, (id) => space.items.intern(id)),
  };
  const rows = { u: [] as number[], i: [] as number[], v: [] as number[], t: [] as number[] };
  for (let u = 0; u < b.userIds.length; u++)
    for (let p = b.rowPtr[u]!; p < b.rowPtr[u + 1]!; p++) {
      rows.u.push(remapB.users[u]!);
      rows.i.push(remapB.items[b.col[p]!]!);
      rows.v.push(b.val[p]!);
      rows.t.push(b.ts[p]!);
    }
  return [widen(a, space), buildCsr(space, rows.u, rows.i, rows.v, rows.t, 'last').data];
}
