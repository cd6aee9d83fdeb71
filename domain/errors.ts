/**
 * Typed errors of the domain. Adapters translate AWS exceptions into these; one mapper in
 * handlers/ turns them into HTTP responses. `details` names the offending fields.
 */
export type ErrorDetails = Record<string, unknown>;

export abstract class AppError extends Error {
  abstract readonly code: string;
  abstract readonly httpStatus: number;
  constructor(
    message: string,
    readonly details?: ErrorDetails,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Malformed input: bad JSON, unknown fields, wrong types (400). */
export class ValidationError extends AppError {
  readonly code = 'validation_error';
  readonly httpStatus = 400;
}

export class BadRequestError extends AppError {
  readonly httpStatus = 400;
  constructor(
    readonly code: string,
    message: string,
    details?: ErrorDetails,
  ) {
    super(message, details);
  }
}

/** Well-formed input that refers to things that do not exist or do not fit together (422). */
export class UnprocessableError extends AppError {
  readonly code = 'unprocessable';
  readonly httpStatus = 422;
}

export class NotFoundError extends AppError {
  readonly code = 'not_found';
  readonly httpStatus = 404;
}

export class AlreadyExistsError extends AppError {
  readonly code = 'already_exists';
  readonly httpStatus = 409;
}

export class VersionConflictError extends AppError {
  readonly code = 'version_conflict';
  readonly httpStatus = 409;
  constructor(message: string, currentVersion: number) {
    super(message, { current_version: currentVersion });
  }
}

/** The same idempotency key was used for a different request (409). */
export class IdempotencyMismatchError extends AppError {
  readonly code = 'idempotency_key_reused';
  readonly httpStatus = 409;
}

/** The caller may not do this: no role, or a role below the route's (403). */
export class ForbiddenError extends AppError {
  readonly code = 'forbidden';
  readonly httpStatus = 403;
}

/** The stage's write policy refuses this write to everyone, admin included (403). */
export class WritesDisabledError extends AppError {
  readonly code = 'writes_disabled';
  readonly httpStatus = 403;
}

export class PayloadTooLargeError extends AppError {
  readonly code = 'payload_too_large';
  readonly httpStatus = 413;
}

export class MethodNotAllowedError extends AppError {
  readonly code = 'method_not_allowed';
  readonly httpStatus = 405;
}

/** A dependency (queue, store) could not take the request; the client may retry (503). */
export class ServiceUnavailableError extends AppError {
  readonly code = 'service_unavailable';
  readonly httpStatus = 503;
}
