/** Settings of the local stack (`npm start`), read from the environment and validated with zod. */
import { z } from 'zod';
import { ROLES, WRITE_POLICIES } from '../domain/roles';
import { ConfigError, parseEnv } from '../infra/config';
import { parseAuthKeys } from './auth-keys';
import { deriveLocalTimings, type LocalTimings } from './local-timings';

const port = z.coerce.number().int().min(0).max(65535);

export const localEnvSchema = z.object({
  PORT: port.default(3000),
  PROXY_PORT: port.default(8080),
  HOST: z.string().default('127.0.0.1'),
  AWS_REGION: z
    .string()
    .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region such as us-west-2')
    .default('us-west-2'),
  TABLE_NAME: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{3,255}$/, 'must be a DynamoDB table name')
    .default('edgar-auto-shop'),
  /** Use a DynamoDB already running there instead of starting DynamoDB Local. */
  DYNAMODB_ENDPOINT: z.url().optional(),
  /** Use an SQS endpoint already running there instead of starting the emulator. */
  SQS_ENDPOINT: z.url().optional(),
  DATA_DIR: z.string().default('.data'),
  SEED: z.enum(['demo', 'none']).default('demo'),
  AUTH: z.enum(['iam', 'none']).default('iam'),
  /** `KEY:SECRET:ROLE,…` (local/auth-keys.ts); unset: LOCALDEV (admin), LOCALSTAFF (staff), LOCALVIEW (viewer). */
  AUTH_KEYS: z
    .string()
    .optional()
    .transform((text, ctx) => {
      try {
        return parseAuthKeys(text);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
        return z.NEVER;
      }
    }),
  // The single key pair of earlier versions: refused rather than silently ignored.
  AUTH_ACCESS_KEY_ID: z
    .undefined({ message: 'is replaced by AUTH_KEYS=KEY:SECRET:ROLE,… (README)' })
    .optional(),
  AUTH_SECRET_ACCESS_KEY: z
    .undefined({ message: 'is replaced by AUTH_KEYS=KEY:SECRET:ROLE,… (README)' })
    .optional(),
  /** Which local key the signing proxy on PROXY_PORT signs with: the first of this role. */
  PROXY_ROLE: z.enum(ROLES).default('admin'),
  /** The API's write policy (domain/roles.ts); `npm start` defaults to open like every stage. */
  WRITE_POLICY: z.enum(WRITE_POLICIES).default('open'),
  POLLERS: z.coerce.number().int().min(1).max(32).default(2),
  // The timings: unset ones follow VISIBILITY_TIMEOUT_SECONDS with AWS's ratios (local-timings.ts).
  VISIBILITY_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(43200).default(30),
  /** The worker's function timeout, enforced by the local event source mapping as Lambda does. */
  WORKER_TIMEOUT_SECONDS: z.coerce.number().positive().max(900).optional(),
  /** 0 turns the sweeper off. */
  SWEEP_INTERVAL_MS: z.coerce.number().int().min(0).optional(),
  SWEEP_AFTER_SECONDS: z.coerce.number().int().min(1).max(3600).optional(),
  SWEEP_GIVE_UP_SECONDS: z.coerce.number().int().min(2).max(86_400).optional(),
  /** The move queue's redrive maxReceiveCount, also handed to the worker. */
  MAX_RECEIVE_COUNT: z.coerce.number().int().min(1).max(1000).optional(),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  METRICS_SINK: z.enum(['auto', 'stdout', 'file', 'off']).default('file'),
  METRICS_FILE: z.string().default('.data/metrics.log'),
});

export type LocalConfig = Omit<z.infer<typeof localEnvSchema>, keyof LocalTimings> & LocalTimings;

/** The settings, with every timing resolved; a bad value or a broken timing rule throws ConfigError. */
export function loadLocalConfig(env: Record<string, string | undefined> = process.env): LocalConfig {
  const parsed = parseEnv(localEnvSchema, env);
  if (!parsed.AUTH_KEYS.some((k) => k.role === parsed.PROXY_ROLE)) {
    throw new ConfigError({ PROXY_ROLE: `no key in AUTH_KEYS has role ${parsed.PROXY_ROLE}` });
  }
  return { ...parsed, ...deriveLocalTimings(parsed) };
}
