/**
 * The key pairs `npm start` accepts unless AUTH_KEYS replaces them, one per role. Only ever used
 * against loopback (the local gateway and its signing proxy); AWS has IAM roles instead.
 */
import type { Role } from '../domain/roles';

export interface LocalKey {
  accessKeyId: string;
  secretAccessKey: string;
  role: Role;
}

export const LOCAL_KEYS: readonly LocalKey[] = [
  { accessKeyId: 'LOCALDEV', secretAccessKey: 'localdev-secret', role: 'admin' },
  { accessKeyId: 'LOCALSTAFF', secretAccessKey: 'localstaff-secret', role: 'staff' },
  { accessKeyId: 'LOCALVIEW', secretAccessKey: 'localview-secret', role: 'viewer' },
];

/** The first key of `role` among `keys`, or undefined. */
export function keyForRole(role: Role, keys: readonly LocalKey[] = LOCAL_KEYS): LocalKey | undefined {
  return keys.find((k) => k.role === role);
}
