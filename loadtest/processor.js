/**
 * Artillery processor shared by move.yml, board.yml and stats.yml.
 *
 * - Signs every request with SigV4 (service `lambda`), as an AWS_IAM function URL and the local
 *   gateway require, after the hooks before it have fixed the URL and the body: artillery templates
 *   URLs and serialises `json:` bodies only after the beforeRequest hooks run, so a signature made
 *   earlier would cover bytes that are never sent. With LOADTEST_SIGN=0 requests go out unsigned,
 *   for the signing proxy.
 * - Seeds what a scenario needs through the API (`before` flows), so each runs on an empty stack.
 * - Plays the staff's move journey (read the board, drag a card to a legal column with the version
 *   and column seen, long-poll the outcome, on conflict refetch and retry once) and emits its
 *   figures as custom metrics: counters move.*, histograms move.submit_ms and move.e2e_ms.
 *
 * Plain CommonJS: artillery loads it in its worker threads without a build step. Settings come from
 * the environment (scripts/loadtest.ts sets them): see SETTINGS below.
 */
'use strict';

const { createHash, randomBytes } = require('node:crypto');
const { performance } = require('node:perf_hooks');
const { setTimeout } = require('node:timers');
const { URL } = require('node:url');
const aws4 = require('aws4');

/** The board's rules, mirrored from domain/status.ts (test/integration/loadtest.test.ts compares them). */
const TRANSITIONS = {
  scheduled: ['in_progress', 'no_show', 'canceled'],
  in_progress: ['ready', 'scheduled'],
  ready: ['completed', 'in_progress'],
  completed: [],
  no_show: ['scheduled'],
  canceled: ['scheduled'],
};

/** Every counter the move journey may emit; each starts at 0 so the report always names it. */
const MOVE_COUNTERS = [
  'move.submitted',
  'move.applied',
  'move.noop',
  'move.conflict',
  'move.conflict_first',
  'move.conflict_retry',
  'move.rejected',
  'move.failed',
  'move.timeout',
  'move.submit_error',
  'move.poll_error',
  'move.retried',
  'move.no_card',
  'move.decided_first',
  'move.decided_retry',
];

const LOCAL_CREDENTIALS = { accessKeyId: 'LOCALDEV', secretAccessKey: 'localdev-secret' };

function envInt(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number, got "${raw}"`);
  return Math.floor(n);
}

function todayUtc() {
  return new Date().toISOString().slice(0, 10);
}

/** Read once per worker thread. */
const SETTINGS = {
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
};

function isLoopback(url) {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

/** Explicit LOADTEST_* keys; against loopback the local keys; else the usual AWS_* variables. */
function credentialsFor(url) {
  const env = process.env;
  if (env.LOADTEST_ACCESS_KEY_ID && env.LOADTEST_SECRET_ACCESS_KEY) {
    return {
      accessKeyId: env.LOADTEST_ACCESS_KEY_ID,
      secretAccessKey: env.LOADTEST_SECRET_ACCESS_KEY,
      ...(env.LOADTEST_SESSION_TOKEN ? { sessionToken: env.LOADTEST_SESSION_TOKEN } : {}),
    };
  }
  if (isLoopback(url) && !env.AWS_ACCESS_KEY_ID) return LOCAL_CREDENTIALS;
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
    return {
      accessKeyId: env.AWS_ACCESS_KEY_ID,
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
      ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
    };
  }
  throw new Error(
    'no credentials to sign with: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or go through the signing proxy with LOADTEST_SIGN=0',
  );
}

const sha256Hex = (body) => createHash('sha256').update(body).digest('hex');

/**
 * SigV4 headers for one request; `body` must be the exact string that will be sent. The payload
 * hash travels in x-amz-content-sha256, which the verifier checks against the bytes it receives.
 */
function signedHeaders(method, url, headers, body, opts = SETTINGS) {
  const lower = {};
  for (const [k, v] of Object.entries(headers)) lower[k.toLowerCase()] = String(v);
  if (!opts.sign) return lower;
  const u = new URL(url);
  const request = {
    host: u.host,
    path: `${u.pathname}${u.search}`,
    method,
    service: 'lambda',
    region: opts.region,
    headers: { ...lower, 'x-amz-content-sha256': sha256Hex(body || '') },
    ...(body ? { body } : {}),
  };
  aws4.sign(request, credentialsFor(url));
  const out = {};
  for (const [k, v] of Object.entries(request.headers)) out[k.toLowerCase()] = String(v);
  return out;
}

/** `{{ name }}` in a URL from the scenario's variables (artillery would do it only after signing). */
function resolveUrl(url, vars) {
  return url.replace(/\{\{\s*([\w$]+)\s*\}\}/g, (_, name) => {
    const value = vars[name];
    if (value === undefined || value === null) throw new Error(`URL variable "${name}" is not set`);
    return encodeURIComponent(String(value));
  });
}

/** The last beforeRequest hook of every request: fixes URL and body, then signs. */
function sign(requestParams, context, _events, next) {
  try {
    const url = resolveUrl(requestParams.url, context.vars);
    let body;
    if (requestParams.json !== undefined) {
      body = JSON.stringify(requestParams.json);
      delete requestParams.json;
      requestParams.body = body;
    } else if (typeof requestParams.body === 'string') {
      body = requestParams.body;
    }
    const headers = { ...(requestParams.headers || {}) };
    if (body !== undefined) headers['content-type'] = 'application/json';
    requestParams.url = url;
    requestParams.headers = signedHeaders(requestParams.method, url, headers, body);
    return next();
  } catch (err) {
    return next(err);
  }
}

/** fetch with signing, for the seeding done outside the measured flows. */
async function apiCall(target, method, path, payload) {
  const url = new URL(path, target).href;
  const body = payload === undefined ? undefined : JSON.stringify(payload);
  const headers = signedHeaders(
    method,
    url,
    { accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}) },
    body,
  );
  // fetch sets these itself, to the values signed; undici refuses them from the caller.
  delete headers.host;
  delete headers['content-length'];
  const res = await globalThis.fetch(url, {
    method,
    headers,
    body,
    signal: globalThis.AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  let json;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text };
}

function expectStatus(what, res, ...codes) {
  if (!codes.includes(res.status)) {
    throw new Error(`seeding: ${what} answered ${res.status} ${res.text.slice(0, 300)}`);
  }
  return res.json && res.json.data;
}

/** Runs `task(i)` for i in [0, count) with at most `limit` in flight. */
async function pool(count, limit, task) {
  let nextIndex = 0;
  const worker = async () => {
    while (nextIndex < count) {
      const i = nextIndex++;
      await task(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker));
}

const iso = (day, minutes) => new Date(Date.parse(`${day}T00:00:00Z`) + minutes * 60_000).toISOString();
const SERVICES = ['OIL001', 'TIRE001', 'INSP001', 'BRAKE001'];

/** The run's customer and vehicle (409 when a rerun with the same LOADTEST_RUN_ID finds them). */
async function ensureOwner(target) {
  const id = `lt-${SETTINGS.runId}`;
  expectStatus(
    'create customer',
    await apiCall(target, 'POST', '/api/admin/customers', { id, name: `Load test ${SETTINGS.runId}` }),
    201,
    409,
  );
  expectStatus(
    'create vehicle',
    await apiCall(target, 'POST', '/api/admin/vehicles', {
      id,
      customer_id: id,
      make: 'Loadtest',
      model: 'Runner',
      year: 2020,
    }),
    201,
    409,
  );
  return id;
}

/** `count` appointments of `owner` on `day`, spread from 07:00 in 5-minute steps, 30 minutes each. */
async function createCards(target, owner, day, count, offset = 0) {
  await pool(count, 8, async (i) => {
    const start = 7 * 60 + (((offset + i) * 5) % (16 * 60));
    expectStatus(
      `create appointment ${i + 1} on ${day}`,
      await apiCall(target, 'POST', '/api/admin/appointments', {
        customer_id: owner,
        vehicle_id: owner,
        appt_start: iso(day, start),
        appt_end: iso(day, start + 30),
        service_codes: [SERVICES[(offset + i) % SERVICES.length]],
      }),
      201,
    );
  });
}

function boardCards(board) {
  return Object.values(board.columns).flatMap((column) => column.items);
}

/** move.yml's `before`: LOADTEST_CARDS fresh cards of this run's own customer. */
async function seedMoveCards(context) {
  const target = context.vars.target;
  const owner = await ensureOwner(target);
  await createCards(target, owner, SETTINGS.day, SETTINGS.cards);
  context.vars.owner = owner;
  context.vars.day = SETTINGS.day;
  console.log(`seeded ${SETTINGS.cards} cards of ${owner} on ${SETTINGS.day}`);
}

/** board.yml's `before`: tops the day up to LOADTEST_CARDS cards (a board after move.yml has them). */
async function ensureBoardCards(context) {
  const target = context.vars.target;
  const board = expectStatus(
    `board of ${SETTINGS.day}`,
    await apiCall(target, 'GET', `/api/admin/appointments/board?date=${SETTINGS.day}`),
    200,
  );
  const have = boardCards(board).length;
  if (have < SETTINGS.cards) {
    const owner = await ensureOwner(target);
    await createCards(target, owner, SETTINGS.day, SETTINGS.cards - have, have);
  }
  context.vars.day = SETTINGS.day;
  console.log(`board of ${SETTINGS.day}: ${Math.max(have, SETTINGS.cards)} cards`);
}

/** stats.yml's `before`: LOADTEST_HISTORY_PER_DAY appointments on each of the 31 days up to the day. */
async function seedHistory(context) {
  const target = context.vars.target;
  const owner = await ensureOwner(target);
  const last = SETTINGS.day;
  const days = Array.from({ length: 31 }, (_, i) =>
    new Date(Date.parse(`${last}T00:00:00Z`) - (30 - i) * 86_400_000).toISOString().slice(0, 10),
  );
  for (const day of days) await createCards(target, owner, day, SETTINGS.historyPerDay, 100);
  context.vars.day = last;
  context.vars.from7 = days[days.length - 7];
  context.vars.from31 = days[0];
  console.log(`seeded ${SETTINGS.historyPerDay} appointments a day from ${days[0]} to ${last}`);
}

// ---- the move journey ---------------------------------------------------------------------------

/** Start of a journey: counters at 0 (so every name is in the report), first attempt. */
function beginJourney(context, events, next) {
  for (const name of MOVE_COUNTERS) events.emit('counter', name, 0);
  context.vars.attempt = 0;
  context.vars.retry = false;
  context.vars.waitMs = SETTINGS.waitMs;
  return next();
}

/** Picks a target column: any legal one, but `completed` (which ends a card's moves) only rarely. */
function pickTarget(status) {
  const targets = TRANSITIONS[status] || [];
  const open = targets.filter((t) => t !== 'completed');
  if (open.length === 0 || (targets.includes('completed') && Math.random() < 0.1)) return targets[0];
  return open[Math.floor(Math.random() * open.length)];
}

/** After reading the board: choose one of the run's own cards that can still move, and where to. */
function pickCard(_req, res, context, events, next) {
  context.vars.attempt += 1;
  context.vars.retry = false;
  context.vars.apptId = null;
  context.vars.moveId = null;
  if (res.statusCode !== 200) return next();
  const board = JSON.parse(res.body).data;
  const movable = boardCards(board).filter(
    (c) => c.customer_id === context.vars.owner && (TRANSITIONS[c.status] || []).length > 0,
  );
  if (movable.length === 0) {
    events.emit('counter', 'move.no_card', 1);
    return next();
  }
  const card = movable[Math.floor(Math.random() * movable.length)];
  context.vars.apptId = card.id;
  context.vars.fromStatus = card.status;
  context.vars.version = card.version;
  context.vars.toStatus = pickTarget(card.status);
  return next();
}

const hasCard = (vars) => Boolean(vars.apptId);
const hasPendingMove = (vars) => Boolean(vars.moveId);

/** The time a person looks at the card before dropping it. */
function thinkBeforeDrop(context, _events, next) {
  if (!context.vars.apptId || SETTINGS.thinkMs === 0) return next();
  setTimeout(next, Math.random() * 2 * SETTINGS.thinkMs);
}

/** Body of the submit: the version and column the person saw. */
function moveBody(requestParams, context, _events, next) {
  requestParams.json = {
    to_status: context.vars.toStatus,
    expected_version: context.vars.version,
    from_status: context.vars.fromStatus,
  };
  context.vars.submitStarted = performance.now();
  return next();
}

function recordOutcome(move, context, events) {
  events.emit('histogram', 'move.e2e_ms', performance.now() - context.vars.submitStarted);
  events.emit('counter', context.vars.attempt === 1 ? 'move.decided_first' : 'move.decided_retry', 1);
  context.vars.moveId = null;
  switch (move.status) {
    case 'applied':
      events.emit('counter', move.noop ? 'move.noop' : 'move.applied', 1);
      return;
    case 'conflict':
      events.emit('counter', 'move.conflict', 1);
      if (context.vars.attempt === 1) {
        events.emit('counter', 'move.conflict_first', 1);
        // The graceful UX: refetch the board and try once more.
        context.vars.retry = true;
        events.emit('counter', 'move.retried', 1);
      } else {
        events.emit('counter', 'move.conflict_retry', 1);
      }
      return;
    default:
      events.emit('counter', `move.${move.status}`, 1);
  }
}

/** After the submit: 202 pending (poll next), 200 already decided, anything else an error. */
function submitted(_req, res, context, events, next) {
  events.emit('histogram', 'move.submit_ms', performance.now() - context.vars.submitStarted);
  if (res.statusCode !== 202 && res.statusCode !== 200) {
    events.emit('counter', 'move.submit_error', 1);
    return next();
  }
  events.emit('counter', 'move.submitted', 1);
  const move = JSON.parse(res.body).data;
  if (move.status === 'pending') context.vars.moveId = move.move_id;
  else recordOutcome(move, context, events);
  return next();
}

/** After a poll: record a decided move; give up on one pending for too long. */
function polled(_req, res, context, events, next) {
  if (res.statusCode !== 200) {
    events.emit('counter', 'move.poll_error', 1);
    context.vars.moveId = null;
    return next();
  }
  const move = JSON.parse(res.body).data;
  if (move.status !== 'pending') {
    recordOutcome(move, context, events);
  } else if (performance.now() - context.vars.submitStarted > SETTINGS.moveTimeoutMs) {
    events.emit('counter', 'move.timeout', 1);
    context.vars.moveId = null;
  }
  return next();
}

function stillPending(context, next) {
  return next(Boolean(context.vars.moveId));
}

function retryAfterConflict(context, next) {
  return next(Boolean(context.vars.retry) && context.vars.attempt < 2);
}

// ---- board and stats polling ----------------------------------------------------------------------

/** Sends If-None-Match with the ETag this screen last saw for the URL, as a browser would. */
function conditional(requestParams, context, _events, next) {
  const key = `etag:${requestParams.name}`;
  const etag = context.vars[key];
  if (etag) requestParams.headers = { ...(requestParams.headers || {}), 'if-none-match': etag };
  return next();
}

function rememberEtag(req, res, context, events, next) {
  if (res.headers.etag) context.vars[`etag:${req.name}`] = res.headers.etag;
  if (res.statusCode === 304) events.emit('counter', `poll.${req.name}.not_modified`, 1);
  else if (res.statusCode === 200) events.emit('counter', `poll.${req.name}.full`, 1);
  return next();
}

module.exports = {
  TRANSITIONS,
  SETTINGS,
  signedHeaders,
  resolveUrl,
  sign,
  seedMoveCards,
  ensureBoardCards,
  seedHistory,
  beginJourney,
  pickCard,
  hasCard,
  hasPendingMove,
  thinkBeforeDrop,
  moveBody,
  submitted,
  polled,
  stillPending,
  retryAfterConflict,
  conditional,
  rememberEtag,
};
