/**
 * Whether a Node app runs federated-learning rounds with a coordinator of its
 * own (federated/edge.ts), and starting them: the options decide, else the
 * site config's `federated` section. A coordinator handed in by the host
 * (`federated`) means the node runs none of its own.
 * @module
 */
import type { Logger, ModelStore } from '../../core/ports.js';
import { type EdgeFederation, startEdgeFederation } from '../../federated/edge.js';
import { parseFederatedSettings } from '../../federated/edge-settings.js';
import type { NodeAppOptions } from './app-options.js';
import type { Shop } from './site-loader.js';

/** The node's own round coordinator and federation member, when the options or the site ask for one. */
export async function edgeFederationOf(
  o: NodeAppOptions,
  shop: Shop,
  stores: { models: ModelStore; bus: Parameters<typeof startEdgeFederation>[0]['bus'] },
  logger: Logger,
): Promise<EdgeFederation | undefined> {
  if (o.federated) return undefined;
  const section = (shop.site as { federated?: unknown }).federated;
  const settings =
    typeof o.federatedSettings === 'object'
      ? o.federatedSettings
      : parseFederatedSettings(section, o.federatedSettings === true);
  if (!settings?.enabled) return undefined;
  const federation = await startEdgeFederation({
    settings,
    nodeId: o.nodeId ?? 'node-1',
    catalog: shop.catalog,
    models: stores.models,
    bus: stores.bus,
    logger,
  });
  const c = federation.coordinator;
  logger.info(
    `[tessera] federated rounds on /federated/: ${settings.clientsPerRound} clients per round here, ε ${settings.epsilon} at δ ${settings.delta} over ${settings.rounds} rounds, ${stores.bus ? `bus ${stores.bus.name}` : 'this node alone'} (${c.o.items.length} items × ${c.o.dim})`,
  );
  return federation;
}
