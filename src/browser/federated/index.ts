/**
 * `tessera/federated`: on-device learning in the browser for visitors who
 * chose "learn on my device only". Sites include it through the collector
 * (it loads `/tessera-federated.js` lazily); these exports are for sites that
 * build their own integration.
 * @module
 */
export { type DeviceState, HISTORY_MAX, loadState, remember, saveState } from './device-store.js';
export { clientData, recommendOnDevice, solveVisitor, trainOnDevice } from './on-device.js';
export { fetchModel, type GlobalModel, takePart } from './protocol.js';
