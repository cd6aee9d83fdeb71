/**
 * Artillery processor shared by move.yml, p4.yml, board.yml and stats.yml; artillery 2 bundles a .ts
 * processor itself (esbuild, into loadtest/dist/ for the run, removed afterwards). One module per
 * job, in processor/:
 *
 * - back-off.ts: the `backOffOn429` hook, the first afterResponse hook of every request;
 * - signing.ts: the `sign` hook, the last beforeRequest hook of every request (client/sigv4.ts);
 * - seeding.ts: the `before` flows, creating through the API what a scenario needs;
 * - move-journey.ts: the staff's move journey and its custom metrics (move.*);
 * - screen-polling.ts: board and stats screens polling with If-None-Match;
 * - settings.ts: the LOADTEST_* settings scripts/loadtest.ts passes in the environment.
 *
 * Artillery looks hooks up by name on this module's exports.
 */
export { SETTINGS, type Settings } from './processor/settings';
export { resolveUrl, sign, signedHeaders } from './processor/signing';
export { backOffOn429 } from './processor/back-off';
export { ensureBoardCards, seedHistory, seedMoveCards, useSeedData } from './processor/seeding';
export {
  MOVE_COUNTERS,
  beginJourney,
  chooseMove,
  hasCard,
  hasPendingMove,
  moveBody,
  pickCard,
  pickTarget,
  polled,
  retryAfterConflict,
  stillPending,
  submitted,
  thinkBeforeDrop,
} from './processor/move-journey';
export { conditional, rememberEtag } from './processor/screen-polling';
export type {
  ArtilleryContext,
  ArtilleryEvents,
  ArtilleryResponse,
  RequestParams,
} from './processor/artillery';
export type { MoveChoice } from './processor/move-journey';
