/**
 * The processor's settings, read once per artillery worker thread from the environment that
 * scripts/loadtest.ts gives the artillery process.
 */
import { randomBytes } from 'node:crypto';

export interface Settings {
  region: string;
  sign: boolean;
  day: string;
  cards: number;
  historyPerDay: number;
  waitMs: number;
  moveTimeoutMs: number;
  thinkMs: number;
  runId: string;
  p4Day: string;
  p4Owner: string;
}

function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number, got "${raw}"`);
  return Math.floor(n);
}

const todayUtc = () => new Date().toISOString().slice(0, 10);
const tomorrowUtc = () => new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);

export const SETTINGS: Settings = {
  region: process.env.LOADTEST_REGION || 'us-west-2',
  sign: process.env.LOADTEST_SIGN !== '0',
  /** The day the cards are seeded on and the board is read for (UTC). */
  day: process.env.LOADTEST_DAY || todayUtc(),
  /** Cards the move scenario seeds, and the board scenario tops the day up to. */
  cards: envInt('LOADTEST_CARDS', 50),
  /** Appointments per day over the 31 days the stats scenario reads. */
  historyPerDay: envInt('LOADTEST_HISTORY_PER_DAY', 10),
  /** Long-poll wait of each poll of a move. */
  waitMs: envInt('LOADTEST_WAIT_MS', 5000),
  /** A move still pending this long after its submit counts as timed out (an error). */
  moveTimeoutMs: envInt('LOADTEST_MOVE_TIMEOUT_MS', 15000),
  /** Mean time a person looks at the board before dragging (uniform from 0 to twice this). */
  thinkMs: envInt('LOADTEST_THINK_MS', 300),
  /** Tags the seeded customer, so a run only ever moves its own cards. */
  runId: process.env.LOADTEST_RUN_ID || randomBytes(4).toString('hex'),
  /** p4.yml: the day `npm run seed` put its five cards on (tomorrow, UTC, by default). */
  p4Day: process.env.LOADTEST_P4_DAY || tomorrowUtc(),
  /** p4.yml: the seed's customer, whose cards the staff move. */
  p4Owner: process.env.LOADTEST_P4_OWNER || '1',
};

/**
 * Keys scripts/loadtest.ts resolved (profile, SSO…) and handed over for a remote target; absent,
 * client/sigv4.ts's order applies (the local keys against loopback, else the SDK chain).
 */
export function explicitCredentials(env: Record<string, string | undefined> = process.env) {
  return {
    accessKeyId: env.LOADTEST_ACCESS_KEY_ID,
    secretAccessKey: env.LOADTEST_SECRET_ACCESS_KEY,
    sessionToken: env.LOADTEST_SESSION_TOKEN,
  };
}
