/**
 * Pairwise masking for secure aggregation (Bonawitz et al., "Practical Secure
 * Aggregation for Privacy-Preserving Machine Learning", CCS 2017, without the
 * self-masks; the neighbour graph of Bell et al., CCS 2020). WebCrypto only,
 * so the same code runs in the browser and in Node.
 *
 * - Each client holds an ECDH P-256 key pair; the server relays public keys.
 * - Each pair (i, j) agrees on a secret by ECDH; per round, HKDF-SHA-256
 *   (salt = round number) turns it into a 256-bit seed, so revealing one
 *   round's seed reveals nothing about other rounds.
 * - The seed keys AES-256-CTR; its keystream over a zero buffer is the mask,
 *   read as uint32 words. The lower id adds the mask, the higher subtracts it.
 * - Updates are fixed-point: round(v·scale) as int32, summed mod 2^32. The
 *   masks cancel exactly in the ring, and the true sum is recovered as long
 *   as it fits in int32 (`fixedPointScale` picks the scale so it does).
 * @module
 */

export interface PeerKey {
  id: number;
  /** Raw (uncompressed) P-256 public key. */
  publicKey: Uint8Array;
}

const MASK_INFO = new TextEncoder().encode('tessera federated mask v1');

/** The largest power of two s with clients · clip · s < 2^31: no sum of clipped, quantized updates wraps. */
export function fixedPointScale(clip: number, clients: number): number {
  const limit = (2 ** 31 - 1) / (clients * clip);
  if (!(limit >= 1)) throw new RangeError('[tessera] [federated] clip × clients too large for a 32-bit ring');
  return 2 ** Math.floor(Math.log2(limit));
}

/**
 * The L2 bound to clip to before quantizing, so the quantized vector's norm
 * stays ≤ `clip`: rounding moves each of `length` coordinates by at most
 * 1/(2·scale).
 */
export function clipBeforeRounding(clip: number, length: number, scale: number): number {
  return clip - Math.sqrt(length) / (2 * scale);
}

/** round(v·scale) as two's-complement uint32 words. */
export function quantize(v: ArrayLike<number>, scale: number): Uint32Array {
  const out = new Uint32Array(v.length);
  const ints = new Int32Array(out.buffer);
  for (let i = 0; i < v.length; i++) ints[i] = Math.round(v[i]! * scale);
  return out;
}

/** The ring element read back as a signed integer, divided by the scale. */
export function dequantize(words: Uint32Array, scale: number): Float64Array {
  const ints = new Int32Array(words.buffer, words.byteOffset, words.length);
  const out = new Float64Array(words.length);
  for (let i = 0; i < ints.length; i++) out[i] = ints[i]! / scale;
  return out;
}

/** acc += sign · v (mod 2^32), in place. Uint32Array stores wrap modulo 2^32. */
export function addInRing(acc: Uint32Array, v: Uint32Array, sign: 1 | -1 = 1): void {
  if (sign === 1) for (let i = 0; i < acc.length; i++) acc[i] = acc[i]! + v[i]!;
  else for (let i = 0; i < acc.length; i++) acc[i] = acc[i]! - v[i]!;
}

export interface MaskingKeyPair {
  publicKey: Uint8Array;
  privateKey: CryptoKey;
}

export async function generateMaskingKeys(): Promise<MaskingKeyPair> {
  const pair = await crypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, false, ['deriveBits']);
  const raw = await crypto.subtle.exportKey('raw', pair.publicKey);
  return { publicKey: new Uint8Array(raw), privateKey: pair.privateKey };
}

/** ECDH with a peer, as an HKDF key (the shared secret itself is never exported). */
export async function pairKey(privateKey: CryptoKey, peerPublicKey: Uint8Array): Promise<CryptoKey> {
  const peer = await crypto.subtle.importKey(
    'raw',
    peerPublicKey as Uint8Array<ArrayBuffer>,
    { name: 'ECDH', namedCurve: 'P-256' },
    false,
    [],
  );
  const secret = await crypto.subtle.deriveBits({ name: 'ECDH', public: peer }, privateKey, 256);
  return crypto.subtle.importKey('raw', secret, 'HKDF', false, ['deriveBits']);
}

/** The pair's seed for one round: HKDF-SHA-256(secret, salt = round as 8 bytes, info). */
export async function roundSeed(pair: CryptoKey, round: number): Promise<Uint8Array> {
  const salt = new Uint8Array(8);
  new DataView(salt.buffer).setBigUint64(0, BigInt(round));
  const bits = await crypto.subtle.deriveBits(
    { name: 'HKDF', hash: 'SHA-256', salt, info: MASK_INFO },
    pair,
    256,
  );
  return new Uint8Array(bits);
}

/** `length` uint32 words of AES-256-CTR keystream under `seed` (counter from 0). */
export async function maskFromSeed(seed: Uint8Array, length: number): Promise<Uint32Array> {
  const key = await crypto.subtle.importKey('raw', seed as Uint8Array<ArrayBuffer>, 'AES-CTR', false, [
    'encrypt',
  ]);
  const stream = await crypto.subtle.encrypt(
    { name: 'AES-CTR', counter: new Uint8Array(16), length: 64 },
    key,
    new Uint8Array(length * 4),
  );
  return new Uint32Array(stream);
}

/** +1 if `self` adds the pair's mask, −1 if it subtracts it. */
export const maskSign = (self: number, peer: number): 1 | -1 => (self < peer ? 1 : -1);

/**
 * One client's side of secure aggregation: its key pair, the pair keys it
 * agreed with its peers (cached across rounds, as a device would keep them),
 * and the seeds of the last round it masked (to reveal for dropped peers).
 */
export class MaskingClient {
  private readonly pairs = new Map<number, { publicKey: Uint8Array; key: CryptoKey }>();
  private readonly seeds = new Map<string, Uint8Array>();

  private constructor(
    readonly id: number,
    private readonly keys: MaskingKeyPair,
  ) {}

  static async create(id: number): Promise<MaskingClient> {
    return new MaskingClient(id, await generateMaskingKeys());
  }

  /** A client whose id the server assigned after it saw the public key (the browser's join). */
  static fromKeys(id: number, keys: MaskingKeyPair): MaskingClient {
    return new MaskingClient(id, keys);
  }

  get publicKey(): Uint8Array {
    return this.keys.publicKey;
  }

  private async seedWith(peer: PeerKey, round: number): Promise<Uint8Array> {
    let p = this.pairs.get(peer.id);
    if (!p || !sameBytes(p.publicKey, peer.publicKey)) {
      p = { publicKey: peer.publicKey, key: await pairKey(this.keys.privateKey, peer.publicKey) };
      this.pairs.set(peer.id, p);
    }
    const seed = await roundSeed(p.key, round);
    this.seeds.set(`${round}:${peer.id}`, seed);
    return seed;
  }

  /** The quantized update plus ± one mask per peer (mod 2^32). */
  async mask(round: number, update: Uint32Array, peers: ReadonlyArray<PeerKey>): Promise<Uint32Array> {
    const out = Uint32Array.from(update);
    const masks = await Promise.all(
      peers.map(async (peer) => maskFromSeed(await this.seedWith(peer, round), update.length)),
    );
    for (let p = 0; p < peers.length; p++) addInRing(out, masks[p]!, maskSign(this.id, peers[p]!.id));
    this.forgetBefore(round);
    return out;
  }

  /**
   * The round's seeds shared with peers that dropped out. A client reveals
   * them only for peers that did not submit (the caller is the server; the
   * threat model in docs/federated.md says why this needs an honest server).
   */
  reveal(round: number, dropped: ReadonlyArray<number>): Array<{ peer: number; seed: Uint8Array }> {
    return dropped.map((peer) => {
      const seed = this.seeds.get(`${round}:${peer}`);
      if (!seed)
        throw new Error(`[tessera] [federated] client ${this.id} has no round ${round} seed with ${peer}`);
      return { peer, seed };
    });
  }

  private forgetBefore(round: number): void {
    for (const k of this.seeds.keys()) if (Number(k.slice(0, k.indexOf(':'))) < round) this.seeds.delete(k);
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
