/**
 * The lazily loaded module `/tessera-federated.js` (an ES module the
 * collector imports only when the visitor chose "learn on my device only").
 * It records the visitor's views and clicks into IndexedDB (the collector
 * sends none of them), downloads the item table, trains locally, renders
 * `data-tessera-slot` recommendations from the on-device vector, and takes
 * part in the edge's round with a masked update.
 *
 * `window.tesseraFederated` lets the page (and the e2e test) see the
 * visitor's own state and run a round on demand.
 * @module
 */
import { loadState, remember, saveState } from './device-store.js';
import { recommendOnDevice, solveVisitor, trainOnDevice } from './on-device.js';
import { fetchModel, takePart } from './protocol.js';

/** Implicit weights per interaction. */
const WEIGHTS: Record<string, number> = { view: 1, click: 1, add_to_cart: 3, purchase: 5 };
const SLOT_SIZE = 4;

const base = location.origin;

function render(ids: string[]): void {
  document.querySelectorAll<HTMLElement>('[data-tessera-slot]').forEach((slot) => {
    slot.setAttribute('data-tessera-source', 'device');
    slot.replaceChildren(
      ...ids.map((id) => {
        const a = document.createElement('a');
        a.href = `/product/${encodeURIComponent(id)}`;
        a.setAttribute('data-tessera-item', id);
        a.textContent = id;
        return a;
      }),
    );
  });
}

async function record(item: string, type: string): Promise<void> {
  const state = await loadState();
  remember(state, item, WEIGHTS[type] ?? 1);
  await saveState(state);
}

/** Solve the vector against the current table and fill the slots. */
async function refresh(): Promise<string[]> {
  const [state, m] = await Promise.all([loadState(), fetchModel(base)]);
  solveVisitor(state, m);
  await saveState(state);
  const ids = recommendOnDevice(state, m, SLOT_SIZE);
  if (ids.length > 0) render(ids);
  return ids;
}

/** Local epochs on the current table, then this device's part in the edge's round. */
async function train(): Promise<number | undefined> {
  const [state, m] = await Promise.all([loadState(), fetchModel(base)]);
  const delta = trainOnDevice(state, m);
  if (!delta) return undefined;
  return takePart(base, delta, m.scale);
}

const api = {
  state: loadState,
  record,
  refresh,
  train,
};
(window as Window & { tesseraFederated?: typeof api }).tesseraFederated = api;

document.addEventListener('click', (e) => {
  const el = (e.target as Element | null)?.closest?.('[data-tessera-item]');
  const item = el?.getAttribute('data-tessera-item');
  const action = (e.target as Element)
    .closest?.('[data-tessera-action]')
    ?.getAttribute('data-tessera-action');
  if (item) void record(item, action ?? 'click');
});

const main = document
  .querySelector('[data-tessera-item][data-tessera-main]')
  ?.getAttribute('data-tessera-item');
void (main ? record(main, 'view') : Promise.resolve())
  .then(refresh)
  .catch((e: unknown) => console.warn('[tessera] [federated]', e));
