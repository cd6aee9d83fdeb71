/**
 * AUTH_KEYS: the key pairs the local gateway accepts and the role of each, `KEY:SECRET:ROLE,…`.
 * Validated at start: a bad entry stops start-up naming it. Unset: the three LOCAL_KEYS.
 */
import { LOCAL_KEYS, type LocalKey } from '../client/local-keys';
import { ROLES, isRole } from '../domain/roles';

/** Access key ids are letters and digits (as AWS's are), so they fit AUTH_PRINCIPALS unescaped. */
const ACCESS_KEY = /^[A-Za-z0-9]{3,128}$/;

export class AuthKeysError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuthKeysError';
  }
}

/**
 * Parses AUTH_KEYS. The access key is up to the first `:`, the role after the last, the secret in
 * between (so a secret may contain `:`; none may contain `,`, the separator).
 */
export function parseAuthKeys(text: string | undefined): LocalKey[] {
  if (text === undefined || text.trim() === '') return LOCAL_KEYS.map((k) => ({ ...k }));
  const keys: LocalKey[] = [];
  const entries = text.split(',').map((e) => e.trim());
  entries.forEach((entry, i) => {
    const name = `AUTH_KEYS entry ${i + 1} "${entry.split(':')[0] ?? ''}:…"`;
    const first = entry.indexOf(':');
    const last = entry.lastIndexOf(':');
    if (entry === '') throw new AuthKeysError(`AUTH_KEYS entry ${i + 1} is empty`);
    if (first < 0 || last === first) throw new AuthKeysError(`${name} must be KEY:SECRET:ROLE`);
    const accessKeyId = entry.slice(0, first);
    const secretAccessKey = entry.slice(first + 1, last);
    const role = entry.slice(last + 1);
    if (!ACCESS_KEY.test(accessKeyId)) {
      throw new AuthKeysError(`${name}: the access key must be 3-128 letters and digits`);
    }
    if (secretAccessKey === '') throw new AuthKeysError(`${name}: the secret is empty`);
    if (!isRole(role)) throw new AuthKeysError(`${name}: role "${role}" is not one of ${ROLES.join(', ')}`);
    if (keys.some((k) => k.accessKeyId === accessKeyId)) {
      throw new AuthKeysError(`${name}: access key ${accessKeyId} is listed twice`);
    }
    keys.push({ accessKeyId, secretAccessKey, role });
  });
  return keys;
}

/** accessKeyId → secret, for the SigV4 verifier. */
export function verifierCredentials(keys: readonly LocalKey[]): Record<string, string> {
  return Object.fromEntries(keys.map((k) => [k.accessKeyId, k.secretAccessKey]));
}

/** accessKeyId → role, the API's AUTH_PRINCIPALS (the local gateway puts the access key in the event). */
export function principalRoles(keys: readonly LocalKey[]): Map<string, LocalKey['role']> {
  return new Map(keys.map((k) => [k.accessKeyId, k.role]));
}
