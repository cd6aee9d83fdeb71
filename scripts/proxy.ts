/**
 * `npm run proxy`: the signing proxy on its own, for a stack that is already running (another
 * machine's `npm start`, or a deployed function URL): curl, the browser and the load test talk plain
 * HTTP to it and it signs each request with SigV4. Ctrl-C stops it.
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { ConfigError, parseEnv } from '../infra/config';
import { startSigningProxy, type SigningProxy } from '../local/signing-proxy';
import { describeCredentials, isLoopback, resolveCredentials } from '../client/api-client';
import { keyForRole } from '../client/local-keys';
import { ROLES } from '../domain/roles';
import { main, processIo, runScript, UsageError, type ScriptIo } from './lib/cli';

const HELP = `Usage: npm run proxy [-- --role viewer|staff|admin]

Listens on PROXY_PORT and forwards every request to TARGET_URL, signed with SigV4 (service lambda),
so tools that cannot sign can call an AWS_IAM function URL or the local gateway.

Environment:
  PROXY_PORT   port to listen on (default 8080; 0 picks a free one)
  PROXY_HOST   interface to listen on (default 127.0.0.1: anyone who reaches the proxy acts as you)
  TARGET_URL   origin to forward to (default http://127.0.0.1:3000), e.g.
               https://abc123.lambda-url.us-west-2.on.aws
  AWS_REGION   region of the signature (default us-west-2)
  PROXY_ROLE   viewer, staff or admin (or --role): sign with that role's local key
               (LOCALVIEW, LOCALSTAFF, LOCALDEV); loopback targets only
Credentials: the AWS default chain (AWS_ACCESS_KEY_ID…, AWS_PROFILE, SSO); for a loopback target
without AWS_ACCESS_KEY_ID, the local admin key LOCALDEV/localdev-secret that \`npm start\` accepts.
On AWS the role is the IAM role you assume (docs/deploy.md), e.g. AWS_PROFILE=shop-staff.

Example: TARGET_URL=https://abc123.lambda-url.us-west-2.on.aws AWS_PROFILE=shop npm run proxy
         curl http://127.0.0.1:8080/healthz`;

const proxyEnvSchema = z.object({
  PROXY_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  PROXY_HOST: z.string().min(1).default('127.0.0.1'),
  TARGET_URL: z
    .url({ protocol: /^https?$/, message: 'must be an http(s) URL such as http://127.0.0.1:3000' })
    .default('http://127.0.0.1:3000'),
  AWS_REGION: z
    .string()
    .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region such as us-west-2')
    .default('us-west-2'),
  PROXY_ROLE: z.enum(ROLES).optional(),
});
export type ProxyEnv = z.infer<typeof proxyEnvSchema>;

/** Starts the proxy the environment describes; throws ConfigError naming a bad variable. */
export async function startProxyFromEnv(
  env: Record<string, string | undefined>,
  log?: (line: string) => void,
): Promise<{ proxy: SigningProxy; config: ProxyEnv; credentials: string }> {
  const config = parseEnv(proxyEnvSchema, env);
  let explicit = {};
  if (config.PROXY_ROLE) {
    // The local keys are the only ones with a role of their own; an AWS caller's role is the IAM
    // role it assumed, which no flag here can change.
    if (!isLoopback(config.TARGET_URL)) {
      throw new ConfigError({
        PROXY_ROLE: 'picks a local key, for a loopback TARGET_URL only; on AWS assume the role (AWS_PROFILE)',
      });
    }
    const key = keyForRole(config.PROXY_ROLE) as NonNullable<ReturnType<typeof keyForRole>>;
    explicit = { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey };
  }
  const credentials = resolveCredentials(config.TARGET_URL, explicit, env);
  const proxy = await startSigningProxy({
    port: config.PROXY_PORT,
    host: config.PROXY_HOST,
    targetUrl: config.TARGET_URL,
    region: config.AWS_REGION,
    credentials,
    log,
  });
  return { proxy, config, credentials: describeCredentials(credentials) };
}

/** Runs until SIGINT or SIGTERM (or `stop`, for tests), then closes the proxy and returns 0. */
export async function run(
  argv: string[],
  io: ScriptIo = processIo,
  stop: Promise<unknown> = signalled(),
): Promise<number> {
  return runScript('proxy', io, async () => {
    // --help, and --role (the same as PROXY_ROLE); the rest is configured by the environment.
    let help: boolean | undefined;
    let role: string | undefined;
    try {
      const { values } = parseArgs({
        args: argv,
        options: { help: { type: 'boolean', short: 'h' }, role: { type: 'string' } },
        strict: true,
      });
      help = values.help;
      role = values.role;
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    if (role !== undefined && !(ROLES as readonly string[]).includes(role)) {
      throw new UsageError(`--role must be one of ${ROLES.join(', ')}, got "${role}"`);
    }
    if (help) {
      io.out(HELP);
      return 0;
    }
    let started: Awaited<ReturnType<typeof startProxyFromEnv>>;
    try {
      const env = role === undefined ? io.env : { ...io.env, PROXY_ROLE: role };
      started = await startProxyFromEnv(env, (line) => io.out(line));
    } catch (err) {
      if (err instanceof ConfigError) {
        io.err(`proxy: ${err.message}`);
        return 2;
      }
      throw err;
    }
    const { proxy, config, credentials } = started;
    io.out(
      `proxy: ${proxy.url} -> ${config.TARGET_URL}, signing for lambda in ${config.AWS_REGION} with ${credentials}`,
    );
    if (!isLoopback(proxy.url)) {
      io.out(
        `proxy: WARNING: listening on ${config.PROXY_HOST}; anyone who can reach it acts with these credentials`,
      );
    }
    io.out(`proxy: try curl ${proxy.url}/healthz; Ctrl-C stops it.`);
    await stop;
    await proxy.close();
    io.out('proxy: stopped.');
    return 0;
  });
}

function signalled(): Promise<string> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
}

if (require.main === module) main((argv) => run(argv));
