/**
 * The event-log port. The interface lives in `core/ports.ts` (the core is written
 * against it and must not import a driver folder); it is re-exported here so
 * the port and its drivers sit together.
 * @module
 */
export type { EventLog } from '../core/ports.js';
/** The one paged read of a log (in core, which reads the log too). */
export { type ReadAllOptions, readAllEvents } from '../core/read-log.js';
