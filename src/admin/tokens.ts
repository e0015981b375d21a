/**
 * Scoped admin tokens: what a token may do, how one is minted, and how a
 * presented token is matched against the stored ones. Only the SHA-256 hash
 * of a token is ever kept; the token itself is shown once, when minted.
 * @module
 */

export const SCOPES = [
  'read:stats',
  'write:config',
  'admin:profiles',
  'read:metrics',
  'read:debug',
  // Moving the model registry's production alias (rollback, promote): what `tessera model rollback` does.
  'write:models',
] as const;
export type Scope = (typeof SCOPES)[number];

/** What is stored about a token: never the token itself. */
export interface TokenRecord {
  name: string;
  /** Hex SHA-256 of the token. */
  hash: string;
  scopes: Scope[];
  /** Epoch ms. */
  createdAt: number;
}

/** Who made an admin call, as the audit log names them. */
export interface Principal {
  name: string;
  scopes: readonly Scope[];
}

/** Where token records come from (a JSON file on Node; a test's array). */
export interface TokenBook {
  records(): Promise<readonly TokenRecord[]> | readonly TokenRecord[];
}

/** The name `TESSERA_ADMIN_TOKEN` appears under in the audit log. */
export const ENV_TOKEN_NAME = 'env:TESSERA_ADMIN_TOKEN';

export function isScope(s: string): s is Scope {
  return (SCOPES as readonly string[]).includes(s);
}

/** Parse `read:stats,write:config`; throws naming the unknown scope. */
export function parseScopes(list: string): Scope[] {
  const scopes = list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (scopes.length === 0) throw new Error(`[tessera] [admin] no scopes given: use ${SCOPES.join(',')}`);
  for (const s of scopes)
    if (!isScope(s)) throw new Error(`[tessera] [admin] unknown scope "${s}": use ${SCOPES.join(', ')}`);
  return [...new Set(scopes)] as Scope[];
}

function hex(bytes: ArrayBuffer): string {
  return [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

export async function hashToken(token: string): Promise<string> {
  return hex(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(token)));
}

/** A new random token: `tsr_` + 32 random bytes, base64url. */
export function newToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return `tsr_${btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')}`;
}

/** Mint a token and the record to store for it. */
export async function mintToken(
  name: string,
  scopes: Scope[],
  now = Date.now(),
): Promise<{ token: string; record: TokenRecord }> {
  const token = newToken();
  return { token, record: { name, hash: await hashToken(token), scopes, createdAt: now } };
}

/** Equal-length hex strings compared without an early exit: timing says nothing. */
export function sameHash(a: string, b: string): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++)
    diff |= (a.charCodeAt(i) | 0) ^ (b.charCodeAt(i) | 0);
  return diff === 0;
}

/**
 * The principal a presented token belongs to, or undefined. Every stored
 * hash is compared (no early exit on a match), so timing does not say which
 * record matched or how many there are before it.
 */
export async function authenticate(
  presented: string,
  records: readonly TokenRecord[],
  envToken: string | undefined,
): Promise<Principal | undefined> {
  return principalOfHash(await hashToken(presented), records, envToken);
}

/** `authenticate` for a token known by its hash (a dashboard session keeps only that). */
export async function principalOfHash(
  hash: string,
  records: readonly TokenRecord[],
  envToken: string | undefined,
): Promise<Principal | undefined> {
  let found: Principal | undefined;
  for (const r of records) if (sameHash(hash, r.hash) && !found) found = { name: r.name, scopes: r.scopes };
  // The bootstrap / dev path: the environment's token holds every scope.
  if (envToken && sameHash(hash, await hashToken(envToken)) && !found)
    found = { name: ENV_TOKEN_NAME, scopes: SCOPES };
  return found;
}
