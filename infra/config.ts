/**
 * The one place that reads the environment. Validated with zod at cold start; a bad value
 * stops the process with a message naming the variable.
 */
import { z } from 'zod';
import { DEFAULT_TIME_ZONE, canonicalTimeZone } from '../domain/days';
import { ROLES, WRITE_POLICIES, parsePrincipalRoles } from '../domain/roles';

const url = z.url({ message: 'must be a URL such as http://127.0.0.1:8000' });

/**
 * Each variable's rule, once. The service's schema below is made of these; local/local-config.ts
 * takes the ones the local stack shares (unwrapping a default where it derives its own), so a rule
 * is never written twice.
 */
export const serviceEnvFields = {
  TABLE_NAME: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{3,255}$/, 'must be a DynamoDB table name')
    .default('edgar-auto-shop'),
  MOVE_QUEUE_URL: url,
  /** Read by operator scripts (health-check, redrive); the handlers themselves never use it. */
  DLQ_URL: url.optional(),
  AWS_REGION: z
    .string()
    .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region such as us-west-2')
    .default('us-west-2'),
  /** Use a DynamoDB already running there (DynamoDB Local) instead of AWS's. */
  DYNAMODB_ENDPOINT: url.optional(),
  /** Use an SQS endpoint already running there (the emulator) instead of AWS's. */
  SQS_ENDPOINT: url.optional(),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  /** Where EMF metrics go: auto (CloudWatch in Lambda), stdout, a file, or nowhere. */
  METRICS_SINK: z.enum(['auto', 'stdout', 'file', 'off']).default('auto'),
  METRICS_FILE: z.string().default('.data/metrics.log'),
  /**
   * Set by Lambda in every function's environment: with METRICS_SINK=auto, EMF goes through the
   * library's Lambda environment (stdout, picked up by CloudWatch) only when it is there.
   */
  AWS_LAMBDA_FUNCTION_NAME: z.string().min(1).optional(),
  /** A pending move this long after its last send is re-sent by the sweeper (then with backoff). */
  SWEEP_AFTER_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  /**
   * A move still pending this long after it was submitted is settled `failed` with reason
   * `undeliverable` by the sweeper: the bound of the "202 means decided" promise.
   */
  SWEEP_GIVE_UP_SECONDS: z.coerce.number().int().min(2).max(86_400).default(900),
  /**
   * The move queue's redrive `maxReceiveCount`: on that delivery the worker settles a move that
   * still fails as `failed` (`processing_failed`) instead of letting it reach the DLQ.
   */
  MAX_RECEIVE_COUNT: z.coerce.number().int().min(1).max(1000).default(5),
  /**
   * Who has which role: `principal=role,…`, a principal being an IAM ARN (a role's ARN also covers
   * its assumed-role sessions) or, locally, an access key id. A signed caller not listed gets 403.
   */
  AUTH_PRINCIPALS: z
    .string()
    .default('')
    .transform((text, ctx) => {
      try {
        return parsePrincipalRoles(text);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
        return z.NEVER;
      }
    }),
  /**
   * The role of a request that carries no IAM caller at all. Only the local gateway with AUTH=none
   * (and tests) produces such requests; a function URL with AWS_IAM never does. Unset: 403.
   */
  AUTH_UNSIGNED_ROLE: z.enum(ROLES).optional(),
  /** open | moves-only | read-only (domain/roles.ts). */
  WRITE_POLICY: z.enum(WRITE_POLICIES).default('open'),
  /**
   * The shop's time zone, an IANA name: board and stats days are its local days, and so are the
   * table's day keys (the table's zone item must match: infra/table-zone.ts). Canonicalized, so
   * `america/los_angeles` is `America/Los_Angeles`.
   */
  SHOP_TIMEZONE: z
    .string()
    .default(DEFAULT_TIME_ZONE)
    .transform((name, ctx) => {
      const zone = canonicalTimeZone(name);
      if (zone) return zone;
      ctx.addIssue({
        code: 'custom',
        message: `must be an IANA time zone such as America/Los_Angeles (got ${name})`,
      });
      return z.NEVER;
    }),
};

const serviceEnvSchema = z.object(serviceEnvFields);

export type ServiceConfig = z.infer<typeof serviceEnvSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: Record<string, string>) {
    super(
      `invalid configuration: ${Object.entries(problems)
        .map(([k, v]) => `${k} ${v}`)
        .join('; ')}`,
    );
    this.name = 'ConfigError';
  }
}

/** Parses an environment against a schema, naming each bad variable. */
export function parseEnv<T extends z.ZodType>(
  schema: T,
  env: Record<string, string | undefined>,
): z.infer<T> {
  // An empty string means "unset" (a common shell idiom: FOO= npm start).
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = schema.safeParse(cleaned);
  if (!result.success) {
    const problems: Record<string, string> = {};
    for (const issue of result.error.issues) {
      const name = String(issue.path[0] ?? 'environment');
      problems[name] =
        issue.code === 'invalid_type' && cleaned[name] === undefined ? 'is required' : issue.message;
    }
    throw new ConfigError(problems);
  }
  return result.data;
}

export function loadServiceConfig(env: Record<string, string | undefined> = process.env): ServiceConfig {
  return parseEnv(serviceEnvSchema, env);
}

let cached: ServiceConfig | undefined;
/** The process's config, read once. */
export function serviceConfig(): ServiceConfig {
  cached ??= loadServiceConfig();
  return cached;
}
