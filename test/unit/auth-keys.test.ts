/** AUTH_KEYS: the local key pairs and their roles, and how a bad entry stops start-up. */
import { LOCAL_KEYS } from '../../client/local-keys';
import { ConfigError } from '../../infra/config';
import { parseAuthKeys, principalRoles, verifierCredentials } from '../../local/auth-keys';
import { loadLocalConfig } from '../../local/local-config';

describe('parseAuthKeys', () => {
  it('gives the three local keys when unset', () => {
    expect(parseAuthKeys(undefined)).toEqual([
      { accessKeyId: 'LOCALDEV', secretAccessKey: 'localdev-secret', role: 'admin' },
      { accessKeyId: 'LOCALSTAFF', secretAccessKey: 'localstaff-secret', role: 'staff' },
      { accessKeyId: 'LOCALVIEW', secretAccessKey: 'localview-secret', role: 'viewer' },
    ]);
  });

  it('reads KEY:SECRET:ROLE entries, a secret keeping its own colons', () => {
    expect(parseAuthKeys('TV1:tv:secret:viewer, OFFICE:s3cret:admin')).toEqual([
      { accessKeyId: 'TV1', secretAccessKey: 'tv:secret', role: 'viewer' },
      { accessKeyId: 'OFFICE', secretAccessKey: 's3cret', role: 'admin' },
    ]);
  });

  it.each([
    ['TV1:secret', 'AUTH_KEYS entry 1 "TV1:…" must be KEY:SECRET:ROLE'],
    ['ABC:b:viewer,TV2', 'AUTH_KEYS entry 2 "TV2:…" must be KEY:SECRET:ROLE'],
    ['TV1:secret:owner', 'AUTH_KEYS entry 1 "TV1:…": role "owner" is not one of viewer, staff, admin'],
    ['TV1::viewer', 'AUTH_KEYS entry 1 "TV1:…": the secret is empty'],
    ['TV-1:s:viewer', 'AUTH_KEYS entry 1 "TV-1:…": the access key must be 3-128 letters and digits'],
    ['TV1:a:viewer,TV1:b:admin', 'AUTH_KEYS entry 2 "TV1:…": access key TV1 is listed twice'],
    ['TV1:a:viewer,,X:y:admin', 'AUTH_KEYS entry 2 is empty'],
  ])('refuses %s naming the entry', (text, message) => {
    expect(() => parseAuthKeys(text)).toThrow(message);
  });

  it('never puts a secret in an error', () => {
    expect(() => parseAuthKeys('TV1:hunter2:owner')).toThrow(
      expect.objectContaining({
        message: expect.not.stringContaining('hunter2'),
      }),
    );
  });

  it('feeds the verifier and the API the same keys', () => {
    expect(verifierCredentials(LOCAL_KEYS)).toEqual({
      LOCALDEV: 'localdev-secret',
      LOCALSTAFF: 'localstaff-secret',
      LOCALVIEW: 'localview-secret',
    });
    expect([...principalRoles(LOCAL_KEYS)]).toEqual([
      ['LOCALDEV', 'admin'],
      ['LOCALSTAFF', 'staff'],
      ['LOCALVIEW', 'viewer'],
    ]);
  });
});

describe('loadLocalConfig', () => {
  const problems = (env: Record<string, string>) => {
    try {
      loadLocalConfig(env);
    } catch (err) {
      if (err instanceof ConfigError) return err.problems;
      throw err;
    }
    throw new Error('no ConfigError');
  };

  it('stops start-up on a bad AUTH_KEYS entry, naming the variable and the entry', () => {
    expect(problems({ AUTH_KEYS: 'TV1:secret:owner' })).toEqual({
      AUTH_KEYS: 'AUTH_KEYS entry 1 "TV1:…": role "owner" is not one of viewer, staff, admin',
    });
  });

  it('stops start-up when the proxy would sign with a role no key has', () => {
    expect(problems({ AUTH_KEYS: 'TV1:s:viewer', PROXY_ROLE: 'admin' })).toEqual({
      PROXY_ROLE: 'no key in AUTH_KEYS has role admin',
    });
  });

  it('refuses the single key pair of earlier versions rather than ignore it', () => {
    expect(problems({ AUTH_ACCESS_KEY_ID: 'LOCALDEV' })).toEqual({
      AUTH_ACCESS_KEY_ID: 'is replaced by AUTH_KEYS=KEY:SECRET:ROLE,… (README)',
    });
  });

  it.each(['open', 'moves-only', 'read-only'])('takes WRITE_POLICY=%s', (policy) => {
    expect(loadLocalConfig({ WRITE_POLICY: policy }).WRITE_POLICY).toBe(policy);
  });

  it('refuses an unknown WRITE_POLICY, naming it', () => {
    expect(Object.keys(problems({ WRITE_POLICY: 'closed' }))).toEqual(['WRITE_POLICY']);
  });
});
