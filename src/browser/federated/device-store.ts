/**
 * What stays on the device for on-device learning, in IndexedDB: the
 * visitor's interaction history (item id → weight, bounded) and their user
 * vector. Neither ever leaves the browser.
 * @module
 */

/** The most items the history keeps; the lightest go first. */
export const HISTORY_MAX = 500;

export interface DeviceState {
  /** Item id → implicit weight (sum of the event weights). */
  history: Record<string, number>;
  /** The user vector after the last local training, and the table version it was solved against. */
  user?: { vector: number[]; version: number };
}

const DB = 'tessera-federated';
const STORE = 'state';
const KEY = 'visitor';

function request<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

async function open(): Promise<IDBDatabase> {
  const r = indexedDB.open(DB, 1);
  r.onupgradeneeded = () => r.result.createObjectStore(STORE);
  return request(r);
}

export async function loadState(): Promise<DeviceState> {
  const db = await open();
  try {
    const v = await request(db.transaction(STORE).objectStore(STORE).get(KEY));
    return (v as DeviceState | undefined) ?? { history: {} };
  } finally {
    db.close();
  }
}

export async function saveState(state: DeviceState): Promise<void> {
  const db = await open();
  try {
    const tx = db.transaction(STORE, 'readwrite');
    tx.objectStore(STORE).put(state, KEY);
    await new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
    });
  } finally {
    db.close();
  }
}

/** Adds `weight` to an item, dropping the lightest items beyond HISTORY_MAX. */
export function remember(state: DeviceState, item: string, weight: number): void {
  state.history[item] = (state.history[item] ?? 0) + weight;
  const entries = Object.entries(state.history);
  if (entries.length > HISTORY_MAX) {
    entries.sort((a, b) => b[1] - a[1]);
    state.history = Object.fromEntries(entries.slice(0, HISTORY_MAX));
  }
}
