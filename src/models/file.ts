/**
 * A model store on the local file system. Beside the artifact path an older
 * version wrote (`model.tsra`), a `models/` directory holds every version
 * (`<version>.tsra` and its metadata `<version>.json`) and `aliases.json`.
 * Every file is replaced atomically (write a temp file beside it, then
 * rename), so a reader sees the old file or the new one, never half of one;
 * the aliases' compare-and-set runs under a lock file, so two processes
 * promoting at once do not lose a write.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../connections/private-files.js';
import { TesseraError } from '../core/errors.js';
import type { ModelMeta, ModelStore } from '../core/ports.js';
import { checkVersion, parseAliases, withProductionApi } from './model-registry.js';

export interface FileModelStoreOptions {
  /**
   * The single artifact file of older versions, e.g. `.tessera/model.tsra`:
   * served until an alias is written. The registry sits beside it in `models/`.
   */
  path: string;
}

/** A lock older than this was left by a crashed writer. */
const STALE_LOCK_MS = 10_000;

function fileError(message: string, cause: unknown): TesseraError {
  return new TesseraError(500, `[tessera] [file-model] ${message}`, { cause });
}

const isMissing = (e: unknown) => (e as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function readBytes(path: string): Promise<ArrayBuffer | undefined> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (e) {
    if (isMissing(e)) return undefined;
    throw fileError(`cannot read ${path}`, e);
  }
  // A Buffer may be a view into a shared pool; hand out an exact copy.
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

/** Writes `path` atomically, owner-only, synced before the rename. */
async function writeAtomic(path: string, data: Uint8Array): Promise<void> {
  // Temp name unique per writer, in the same directory so rename is atomic.
  const temp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await mkdir(dirname(path), { recursive: true, mode: PRIVATE_DIR_MODE });
    // Owner-only like every data file (`open`'s mode is applied before the umask, so chmod too).
    const file = await open(temp, 'w', PRIVATE_FILE_MODE);
    await file.chmod(PRIVATE_FILE_MODE);
    try {
      await file.writeFile(data);
      // On disk before the rename, so a crash cannot leave a renamed but empty file.
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temp, path);
  } catch (e) {
    // Best effort: the original error is the one worth reporting.
    await rm(temp, { force: true }).catch(() => {});
    throw fileError(`cannot write ${path}`, e);
  }
}

/** Runs `fn` holding `lock` (a file created exclusively), waiting up to 5 s for another holder. */
async function withLock<T>(lock: string, fn: () => Promise<T>): Promise<T> {
  await mkdir(dirname(lock), { recursive: true, mode: PRIVATE_DIR_MODE });
  for (let attempt = 0; ; attempt++) {
    try {
      await (await open(lock, 'wx', PRIVATE_FILE_MODE)).close();
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw fileError(`cannot lock ${lock}`, e);
      const s = await stat(lock).catch(() => undefined);
      if (s && Date.now() - s.mtimeMs > STALE_LOCK_MS) await rm(lock, { force: true });
      else if (attempt > 250) throw fileError(`${lock} is held by another writer`, e);
      else await sleep(20);
    }
  }
  try {
    return await fn();
  } finally {
    await rm(lock, { force: true });
  }
}

export function createFileModelStore(opts: FileModelStoreOptions): ModelStore & { aliasesPath: string } {
  const { path } = opts;
  const dir = join(dirname(path), 'models');
  const aliasesPath = join(dir, 'aliases.json');
  const blob = (v: string) => join(dir, `${checkVersion(v)}.tsra`);
  const metaOf = (v: string) => join(dir, `${checkVersion(v)}.json`);
  const text = async (p: string) => {
    const b = await readBytes(p);
    return b ? new TextDecoder().decode(b) : undefined;
  };
  const aliases = async () => {
    const t = await text(aliasesPath);
    try {
      return parseAliases(t);
    } catch (e) {
      throw fileError(`${aliasesPath} is not valid JSON`, e);
    }
  };
  const store = withProductionApi(
    {
      name: 'file',
      getVersion: (version) => readBytes(blob(version)),
      async putVersion(artifact, meta) {
        await writeAtomic(blob(meta.version), new Uint8Array(artifact));
        await writeAtomic(metaOf(meta.version), new TextEncoder().encode(JSON.stringify(meta)));
      },
      async list() {
        let names: string[];
        try {
          names = await readdir(dir);
        } catch (e) {
          if (isMissing(e)) return [];
          throw fileError(`cannot list ${dir}`, e);
        }
        const metas: ModelMeta[] = [];
        for (const n of names) {
          if (!/^[0-9a-f]{16}\.json$/.test(n)) continue;
          const t = await text(join(dir, n));
          if (t) metas.push(JSON.parse(t) as ModelMeta);
        }
        return metas.sort((a, b) => a.created - b.created);
      },
      aliases,
      setAliases: (next, expected) =>
        withLock(`${aliasesPath}.lock`, async () => {
          if ((await aliases()).revision !== expected) return false;
          const doc = { ...next, revision: expected + 1 };
          await writeAtomic(aliasesPath, new TextEncoder().encode(`${JSON.stringify(doc, null, 2)}\n`));
          return true;
        }),
    },
    () => readBytes(path),
  );
  return { ...store, aliasesPath };
}
