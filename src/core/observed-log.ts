/**
 * The event log as the engine uses it, telling the observer about clicks on
 * recommendation slots as the log takes them: only an event new to the log
 * counts, so a beacon the browser retries is one click, not two.
 * @module
 */
import type { EngineObserver } from './observer.js';
import type { EventLog } from './ports.js';

export function observedLog(log: EventLog, observer: EngineObserver, recSlots: readonly string[]): EventLog {
  const slots = new Set(recSlots);
  const counted: EventLog = {
    name: log.name,
    async append(events) {
      const fresh = await log.append(events);
      for (const e of fresh) {
        const slot = e.type === 'click' ? e.props?.slot : undefined;
        // Only the site's slots: the label stays bounded whatever a client sends.
        if (typeof slot === 'string' && slots.has(slot)) observer.click(slot);
      }
      return fresh;
    },
    read: (after, limit) => log.read(after, limit),
    deleteVisitor: (visitor) => log.deleteVisitor(visitor),
    count: () => log.count(),
    close: () => log.close(),
  };
  if (log.sweep) counted.sweep = (before) => log.sweep!(before);
  return counted;
}
