/**
 * Argument parsing shared by the operator scripts: node:util parseArgs with strict options, a
 * --help text per script, and the options every script has (where the API is and how to reach it).
 */
import { parseArgs } from 'node:util';
import {
  ApiClient,
  describeCredentials,
  resolveCredentials,
  type ApiClientOptions,
} from '../../client/api-client';

export const PROXY_URL = 'http://127.0.0.1:8080';
export const DIRECT_URL = 'http://127.0.0.1:3000';
const DEFAULT_REGION = 'us-west-2';

/** A script's own options; none repeats, so every value is a string, a boolean or absent. */
export type OptionSpec = Record<string, { type: 'string' | 'boolean'; short?: string }>;
export type OptionValues = Record<string, string | boolean | undefined>;

export const COMMON_OPTIONS: OptionSpec = {
  'base-url': { type: 'string' },
  sign: { type: 'boolean' },
  region: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
};

export const COMMON_HELP = `Common options:
  --base-url URL   the API origin (default ${PROXY_URL}, the signing proxy of \`npm start\`;
                   ${DIRECT_URL} with --sign; env API_BASE_URL)
  --sign           sign requests with SigV4 (service lambda) instead of relying on the proxy;
                   on by default for function URLs (*.on.aws). Credentials: AWS_ACCESS_KEY_ID /
                   AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN or the default chain (profile, SSO…);
                   against 127.0.0.1 without AWS_ACCESS_KEY_ID, the local keys LOCALDEV/localdev-secret
  --region NAME    region of the signature (default: from a function URL, else AWS_REGION, else ${DEFAULT_REGION})
  -h, --help       this text`;

/** Where the output of a script goes; tests pass their own to capture it. */
export interface ScriptIo {
  out(line: string): void;
  err(line: string): void;
  env: Record<string, string | undefined>;
}

export const processIo: ScriptIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  env: process.env,
};

/** Bad arguments: the script prints the reason and exits 2 without doing anything. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface CommonOptions {
  baseUrl: string;
  sign: boolean;
  region: string;
}

export interface ParsedCli {
  values: OptionValues;
  common: CommonOptions;
  help: boolean;
}

/** Parses argv strictly (unknown options and positionals are usage errors). */
/** Parses `argv` strictly (no positionals); an unknown or malformed option is a UsageError. */
export function parseOptions(argv: string[], options: OptionSpec): OptionValues {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values as OptionValues;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

export function parseCli(
  argv: string[],
  options: OptionSpec,
  env: Record<string, string | undefined>,
): ParsedCli {
  const values = parseOptions(argv, { ...COMMON_OPTIONS, ...options });
  const explicitUrl = stringOption(values, 'base-url') ?? env.API_BASE_URL;
  const sign = values.sign === true;
  const baseUrl = explicitUrl || (sign ? DIRECT_URL : PROXY_URL);
  let host: string;
  try {
    host = new URL(baseUrl).hostname;
  } catch {
    throw new UsageError(`--base-url "${baseUrl}" is not a URL`);
  }
  // abc123.lambda-url.us-west-2.on.aws: IAM auth is the only way in, and the region is in the name.
  const functionUrl = /\.lambda-url\.([a-z0-9-]+)\.on\.aws$/.exec(host);
  const region = stringOption(values, 'region') ?? functionUrl?.[1] ?? env.AWS_REGION ?? DEFAULT_REGION;
  const common: CommonOptions = { baseUrl, sign: sign || functionUrl !== null, region };
  return { values, common, help: values.help === true };
}

export function stringOption(values: OptionValues, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

/** The client the common options describe, and a one-line description of it for the banner. */
export function clientFor(
  common: CommonOptions,
  env: Record<string, string | undefined>,
  extra: Partial<ApiClientOptions> = {},
): { client: ApiClient; description: string } {
  try {
    const client = new ApiClient({
      baseUrl: common.baseUrl,
      sign: common.sign ? { region: common.region, service: 'lambda' } : false,
      env,
      ...extra,
    });
    const how = common.sign
      ? `signed (${common.region}, ${describeCredentials(resolveCredentials(common.baseUrl, {}, env))})`
      : 'unsigned (through a signing proxy)';
    return { client, description: `${client.baseUrl}, ${how}` };
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** A positive integer option, or a UsageError naming it. */
export function intOption(
  name: string,
  raw: unknown,
  fallback: number,
  range: { min: number; max: number },
): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < range.min || value > range.max) {
    throw new UsageError(`--${name} must be an integer from ${range.min} to ${range.max}, got "${raw}"`);
  }
  return value;
}

/** A YYYY-MM-DD option, or a UsageError naming it. */
export function dayOption(name: string, raw: unknown, fallback: string): string {
  if (raw === undefined) return fallback;
  const value = String(raw);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) {
    throw new UsageError(`--${name} must be a date YYYY-MM-DD, got "${value}"`);
  }
  return value;
}

/**
 * Runs a script's body with the shared exit-code rules: --help prints and returns 0, a usage
 * error prints the reason and returns 2.
 */
export async function runScript(name: string, io: ScriptIo, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`${name}: ${err.message}`);
      io.err(`Try \`npm run ${name} -- --help\`.`);
      return 2;
    }
    io.err(`${name}: ${(err as Error).message ?? String(err)}`);
    return 2;
  }
}

/** The entry point when a script runs as a program: exit with run()'s code. */
export function main(run: (argv: string[]) => Promise<number>): void {
  run(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
      process.exitCode = 2;
    },
  );
}
