/**
 * A model store on the local file system: one artifact file, replaced
 * atomically (write a temp file beside it, then rename), so a reader sees the
 * old artifact or the new one, never half of one.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../connections/private-files.js';
import { TesseraError } from '../core/errors.js';
import type { ModelStore } from '../core/ports.js';

export interface FileModelStoreOptions {
  /** The artifact file, e.g. `.tessera/model.bin`; its directory is created on put. */
  path: string;
}

function fileError(message: string, cause: unknown): TesseraError {
  return new TesseraError(500, `[tessera] [file-model] ${message}`, { cause });
}

const isMissing = (e: unknown) => (e as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';

export function createFileModelStore(opts: FileModelStoreOptions): ModelStore {
  const { path } = opts;
  return {
    name: 'file',
    async get() {
      let bytes: Buffer;
      try {
        bytes = await readFile(path);
      } catch (e) {
        if (isMissing(e)) return undefined;
        throw fileError(`cannot read ${path}`, e);
      }
      // A Buffer may be a view into a shared pool; hand out an exact copy.
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    },
    async put(artifact) {
      // Temp name unique per writer, in the same directory so rename is atomic.
      const temp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
      try {
        await mkdir(dirname(path), { recursive: true, mode: PRIVATE_DIR_MODE });
        // Owner-only like every data file (`open`'s mode is applied before the umask, so chmod too).
        const file = await open(temp, 'w', PRIVATE_FILE_MODE);
        await file.chmod(PRIVATE_FILE_MODE);
        try {
          await file.writeFile(new Uint8Array(artifact));
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
    },
  };
}
