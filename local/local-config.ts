/**
 * Settings of the local stack (`npm start`), read from the environment and validated with zod.
 * The variables the service also reads take their rules from infra/config.ts's fields; only the
 * local stack's own (ports, auth, pollers, timings' visibility base) are declared here.
 */
import { z } from 'zod';
import { ROLES } from '../domain/roles';
import { ConfigError, parseEnv, serviceEnvFields as service } from '../infra/config';
import { parseAuthKeys } from './auth-keys';
import { deriveLocalTimings, type LocalTimings } from './local-timings';

const port = z.coerce.number().int().min(0).max(65535);

export const localEnvSchema = z.object({
  PORT: port.default(3000),
  PROXY_PORT: port.default(8080),
  HOST: z.string().default('127.0.0.1'),
  AWS_REGION: service.AWS_REGION,
  TABLE_NAME: service.TABLE_NAME,
  /** Use a DynamoDB already running there instead of starting DynamoDB Local. */
  DYNAMODB_ENDPOINT: service.DYNAMODB_ENDPOINT,
  /** Use an SQS endpoint already running there instead of starting the emulator. */
  SQS_ENDPOINT: service.SQS_ENDPOINT,
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
  WRITE_POLICY: service.WRITE_POLICY,
  /** The shop's time zone (IANA); the table's zone item must match it (infra/zone-guard.ts). */
  SHOP_TIMEZONE: service.SHOP_TIMEZONE,
  POLLERS: z.coerce.number().int().min(1).max(32).default(2),
  // The timings: unset ones follow VISIBILITY_TIMEOUT_SECONDS with AWS's ratios (local-timings.ts),
  // so the service's fields lose their defaults here and keep their bounds.
  VISIBILITY_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(43200).default(30),
  /** The worker's function timeout, enforced by the local event source mapping as Lambda does. */
  WORKER_TIMEOUT_SECONDS: z.coerce.number().positive().max(900).optional(),
  /** 0 turns the sweeper off. */
  SWEEP_INTERVAL_MS: z.coerce.number().int().min(0).optional(),
  SWEEP_AFTER_SECONDS: service.SWEEP_AFTER_SECONDS.unwrap().optional(),
  SWEEP_GIVE_UP_SECONDS: service.SWEEP_GIVE_UP_SECONDS.unwrap().optional(),
  /** The move queue's redrive maxReceiveCount, also handed to the worker. */
  MAX_RECEIVE_COUNT: service.MAX_RECEIVE_COUNT.unwrap().optional(),
  LOG_LEVEL: service.LOG_LEVEL,
  // Locally the metrics land in a file by default, where the tests and a curious developer read them.
  METRICS_SINK: service.METRICS_SINK.unwrap().default('file'),
  METRICS_FILE: service.METRICS_FILE,
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
