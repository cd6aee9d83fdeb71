/**
 * Board and stats screens (board.yml, stats.yml) polling as the web page does: each screen sends
 * If-None-Match with the ETag it last saw for a URL, and counts full answers and 304s per request
 * name (poll.<name>.full, poll.<name>.not_modified).
 */
import type { ArtilleryContext, ArtilleryEvents, ArtilleryResponse, Next, RequestParams } from './artillery';

/** Sends If-None-Match with the ETag this screen last saw for the URL, as a browser would. */
export function conditional(
  requestParams: RequestParams,
  context: ArtilleryContext,
  _events: ArtilleryEvents,
  next: Next,
) {
  const etag = context.vars[`etag:${requestParams.name}`];
  if (typeof etag === 'string' && etag) {
    requestParams.headers = { ...(requestParams.headers ?? {}), 'if-none-match': etag };
  }
  return next();
}

export function rememberEtag(
  req: RequestParams,
  res: ArtilleryResponse,
  context: ArtilleryContext,
  events: ArtilleryEvents,
  next: Next,
) {
  if (res.headers.etag) context.vars[`etag:${req.name}`] = res.headers.etag;
  if (res.statusCode === 304) events.emit('counter', `poll.${req.name}.not_modified`, 1);
  else if (res.statusCode === 200) events.emit('counter', `poll.${req.name}.full`, 1);
  return next();
}
