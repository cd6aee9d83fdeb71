/** Shapes responses: the success and error envelopes, ETags. One mapper for every error. */
import { createHash } from 'node:crypto';
import type { z } from 'zod';
import { AppError, ValidationError } from '../../domain/errors';
import { issuesToDetails } from '../../domain/schemas';
import type { Logger } from '../../infra/logger';
import type { ApiResult } from './http-types';

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };

export function json(statusCode: number, payload: unknown, headers: Record<string, string> = {}): ApiResult {
  return { statusCode, headers: { ...JSON_HEADERS, ...headers }, body: JSON.stringify(payload) };
}

/**
 * The success envelope around `data`, which must be of the response schema the contract documents
 * for this answer (handlers/http/api-contract.ts): the schema types it here, and the integration
 * tests check the wire against the document generated from it.
 */
export function ok<S extends z.ZodType>(
  _schema: S,
  data: z.output<S>,
  statusCode = 200,
  headers: Record<string, string> = {},
): ApiResult {
  return json(statusCode, { ok: true, data }, headers);
}

const CONDITIONAL_HEADERS = { ...JSON_HEADERS, 'cache-control': 'no-cache' };

/** Whether an If-None-Match header names `etag` (weak or strong) or is `*`. */
export function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  return (
    ifNoneMatch?.split(',').some((t) => t.trim().replace(/^W\//, '') === etag || t.trim() === '*') ?? false
  );
}

/** A validator made from revision counters (`r…`), distinct from any body hash (`b…`). */
export function revisionEtag(key: string): string {
  return `"r${createHash('sha1').update(key).digest('base64url')}"`;
}

export function notModified(etag: string): ApiResult {
  return { statusCode: 304, headers: { ...CONDITIONAL_HEADERS, etag }, body: '' };
}

/**
 * 200 with a strong ETag, or 304 when the client already has this representation. The ETag is
 * `revision` when given (the caller read it before the data), else the body's hash.
 */
export function okWithEtag<S extends z.ZodType>(
  _schema: S,
  data: z.output<S>,
  ifNoneMatch: string | undefined,
  revision?: string,
): ApiResult {
  const body = JSON.stringify({ ok: true, data });
  const etag = revision ?? `"b${createHash('sha1').update(body).digest('base64url')}"`;
  if (etagMatches(ifNoneMatch, etag)) return notModified(etag);
  return { statusCode: 200, headers: { ...CONDITIONAL_HEADERS, etag }, body };
}

export function errorBody(code: string, message: string, details: unknown = {}) {
  return { ok: false, error: { code, message, details } };
}

/** Maps any thrown value to the error envelope. 4xx say what is wrong; 5xx never carry internals. */
export function errorResponse(err: unknown, log: Logger, requestId?: string): ApiResult {
  if (err instanceof AppError) {
    const headers: Record<string, string> = err.httpStatus === 503 ? { 'retry-after': '1' } : {};
    if (err.httpStatus >= 500) log.warn('request failed', { code: err.code, err });
    return json(err.httpStatus, errorBody(err.code, err.message, err.details ?? {}), headers);
  }
  log.error('unhandled error', { err, request_id: requestId });
  return json(500, errorBody('internal_error', 'internal error', requestId ? { request_id: requestId } : {}));
}

/** Parses input with a zod schema; a failure is a 400 whose details name each bad field. */
export function parseInput<S extends z.ZodType>(
  schema: S,
  value: unknown,
  what: 'body' | 'query',
): z.infer<S> {
  const result = schema.safeParse(value ?? (what === 'query' ? {} : undefined));
  if (!result.success) {
    const message =
      value === undefined && what === 'body' ? 'a JSON body is required' : `invalid request ${what}`;
    throw new ValidationError(message, issuesToDetails(result.error));
  }
  return result.data;
}
