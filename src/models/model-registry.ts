/**
 * The model registry's moves, the same on every model store: register a
 * version, promote it to an alias, roll production back. Aliases change by
 * compare-and-set on their revision, so two operators (or a retraining node
 * and an operator) promoting at once both land, one after the other, and the
 * history keeps every production version a rollback can return to.
 *
 * Runtime-agnostic (Web Crypto only): the Worker's KV store uses it too.
 * @module
 */
import { TesseraError } from '../core/errors.js';
import type { ModelAlias, ModelAliases, ModelMeta, ModelStore } from '../core/ports.js';
import { artifactVersion } from '../core/recommend/index.js';

/** Production versions kept for rollback. */
export const HISTORY_LIMIT = 50;
const CAS_ATTEMPTS = 20;

export const EMPTY_ALIASES: ModelAliases = { history: [], revision: 0 };

/** What a driver implements; `withProductionApi` adds `get` and `put` on top. */
export type ModelVersions = Omit<ModelStore, 'get' | 'put'>;

function registryError(message: string, cause?: unknown): TesseraError {
  return new TesseraError(400, `[tessera] [models] ${message}`, cause === undefined ? {} : { cause });
}

/**
 * The version of an artifact: the content hash its header carries. Bytes
 * that are not an artifact (tests, foreign files) get the same kind of hash
 * computed here, so every stored blob has a stable name.
 */
export async function versionOf(artifact: ArrayBuffer): Promise<string> {
  const v = artifactVersion(artifact);
  if (/^[0-9a-f]{16}$/.test(v)) return v;
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', artifact));
  return [...digest.slice(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** A version name as it may appear in a key or file name. */
export function checkVersion(version: string): string {
  if (!/^[0-9a-f]{16}$/.test(version)) throw registryError(`"${version}" is not a model version`);
  return version;
}

/** Applies `change` to the current aliases until the compare-and-set lands. */
export async function updateAliases(
  store: ModelVersions,
  change: (current: ModelAliases) => Omit<ModelAliases, 'revision'>,
): Promise<ModelAliases> {
  for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
    const current = await store.aliases();
    const next = change(current);
    if (await store.setAliases(next, current.revision)) return { ...next, revision: current.revision + 1 };
  }
  throw new TesseraError(409, `[tessera] [models] the aliases kept changing: ${CAS_ATTEMPTS} attempts lost`);
}

/** The aliases after `version` becomes `alias` (production's previous version goes to the history). */
export function withAlias(
  a: ModelAliases,
  version: string,
  alias: ModelAlias,
): Omit<ModelAliases, 'revision'> {
  const { revision: _, ...rest } = a;
  if (alias === 'candidate') return { ...rest, candidate: version };
  if (a.production === version) return rest;
  const history = a.production ? [...a.history, a.production].slice(-HISTORY_LIMIT) : a.history;
  const { candidate, ...others } = rest;
  // The candidate that became production is no longer a candidate.
  return {
    ...others,
    ...(candidate && candidate !== version ? { candidate } : {}),
    production: version,
    history,
  };
}

/** Registers the artifact; returns its metadata as stored. */
export async function registerModel(
  store: ModelVersions,
  artifact: ArrayBuffer,
  meta: Partial<Omit<ModelMeta, 'version' | 'bytes'>> = {},
): Promise<ModelMeta> {
  const full: ModelMeta = {
    ...meta,
    version: await versionOf(artifact),
    created: meta.created ?? Date.now(),
    bytes: artifact.byteLength,
  };
  await store.putVersion(artifact, full);
  return full;
}

/** Points `alias` at a registered version. */
export async function promoteModel(
  store: ModelVersions,
  version: string,
  alias: ModelAlias = 'production',
): Promise<ModelAliases> {
  checkVersion(version);
  if (!(await store.list()).some((m) => m.version === version))
    throw registryError(`no model version ${version} in the ${store.name} model store`);
  return updateAliases(store, (a) => withAlias(a, version, alias));
}

/** Moves production back to the previous production version. */
export async function rollbackModel(store: ModelVersions): Promise<ModelAliases> {
  return updateAliases(store, (a) => {
    const previous = a.history.at(-1);
    if (!previous) throw registryError('no earlier production version to roll back to');
    const { revision: _, ...rest } = a;
    return { ...rest, production: previous, history: a.history.slice(0, -1) };
  });
}

/**
 * A full model store from a driver's versions: `get` is the production
 * alias's bytes (or, before any alias was written, what `legacy` returns:
 * the single artifact an older version stored), `put` registers and promotes.
 */
export function withProductionApi(
  versions: ModelVersions,
  legacy?: () => Promise<ArrayBuffer | undefined>,
): ModelStore {
  return {
    ...versions,
    name: versions.name,
    async get() {
      const { production } = await versions.aliases();
      if (production) return versions.getVersion(production);
      return legacy?.();
    },
    async put(artifact, meta) {
      const m = await registerModel(versions, artifact, meta);
      await updateAliases(versions, (a) => withAlias(a, m.version, 'production'));
    },
  };
}

/** Parses a stored aliases document; a missing one is the empty aliases. */
export function parseAliases(text: string | null | undefined): ModelAliases {
  if (!text) return { ...EMPTY_ALIASES, history: [] };
  const a = JSON.parse(text) as Partial<ModelAliases>;
  return {
    ...(a.production ? { production: a.production } : {}),
    ...(a.candidate ? { candidate: a.candidate } : {}),
    history: Array.isArray(a.history) ? a.history : [],
    revision: typeof a.revision === 'number' ? a.revision : 0,
  };
}
