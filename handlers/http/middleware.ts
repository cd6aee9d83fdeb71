/** middy middlewares for the HTTP API: JSON body parsing with a size limit, and the error envelope. */
import type { MiddlewareObj } from '@middy/core';
import { PayloadTooLargeError, ValidationError } from '../../domain/errors';
import type { Logger } from '../../infra/logger';
import type { ApiEvent, ApiResult } from './http-types';
import { errorResponse } from './response';

export const MAX_BODY_BYTES = 64 * 1024;

/** The parsed body travels on the event under this key, so route handlers never touch raw bodies. */
export const PARSED_BODY = Symbol('parsedBody');
export type ParsedEvent = ApiEvent & { [PARSED_BODY]?: unknown };

export function jsonBody(opts: { maxBytes?: number } = {}): MiddlewareObj<ParsedEvent, ApiResult> {
  const maxBytes = opts.maxBytes ?? MAX_BODY_BYTES;
  return {
    before: (request) => {
      const { event } = request;
      if (event.body === undefined || event.body === null || event.body === '') return;
      const raw = event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
      if (raw.length > maxBytes) {
        throw new PayloadTooLargeError(`the body is ${raw.length} bytes; at most ${maxBytes} are accepted`, {
          max_bytes: maxBytes,
        });
      }
      try {
        event[PARSED_BODY] = JSON.parse(raw.toString('utf8'));
      } catch (err) {
        throw new ValidationError('the body is not valid JSON', { body: (err as Error).message });
      }
    },
  };
}

export function errorEnvelope(log: () => Logger): MiddlewareObj<ApiEvent, ApiResult> {
  return {
    onError: (request) => {
      request.response = errorResponse(request.error, log(), request.context?.awsRequestId);
    },
  };
}
