/**
 * Typed errors. Handlers and domain code throw these; the endpoint kit renders them in the
 * surface's error format. `expose` says whether the message may reach the client.
 */
export type ErrorCode =
  | "VALIDATION_ERROR"
  | "AUTHENTICATION_FAILED"
  | "AUTHORIZATION_DENIED"
  | "RESOURCE_NOT_FOUND"
  | "METHOD_NOT_ALLOWED"
  | "CONFLICT"
  | "PAYLOAD_TOO_LARGE"
  | "UNSUPPORTED_MEDIA_TYPE"
  | "RATE_LIMIT_EXCEEDED"
  | "SUBSCRIPTION_LIMIT_EXCEEDED"
  | "SYSTEM_LOCKED"
  | "INTERNAL_SERVER_ERROR"
  | "SERVICE_UNAVAILABLE";

/** One problem with one field of a request, as `loc` (e.g. ["body", "email"]) plus a message. */
export interface FieldIssue {
  loc: (string | number)[];
  msg: string;
  type: string;
}

export class AppError extends Error {
  readonly expose: boolean = true;
  constructor(
    readonly statusCode: number,
    readonly code: ErrorCode,
    message: string,
    readonly issues?: FieldIssue[],
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class Invalid extends AppError {
  constructor(message: string, issues?: FieldIssue[]) {
    super(400, "VALIDATION_ERROR", message, issues);
  }
}

export class Unauthorized extends AppError {
  constructor(message = "Authentication required") {
    super(401, "AUTHENTICATION_FAILED", message);
  }
}

export class Forbidden extends AppError {
  constructor(message = "Insufficient permissions for this operation") {
    super(403, "AUTHORIZATION_DENIED", message);
  }
}

export class NotFound extends AppError {
  constructor(message = "Resource not found") {
    super(404, "RESOURCE_NOT_FOUND", message);
  }
}

export class Conflict extends AppError {
  constructor(message: string) {
    super(409, "CONFLICT", message);
  }
}

export class PayloadTooLarge extends AppError {
  constructor(message: string) {
    super(413, "PAYLOAD_TOO_LARGE", message);
  }
}

export class UnsupportedMediaType extends AppError {
  constructor(message: string) {
    super(415, "UNSUPPORTED_MEDIA_TYPE", message);
  }
}

export class TooManyRequests extends AppError {
  constructor(message: string, headers?: Record<string, string>) {
    super(429, "RATE_LIMIT_EXCEEDED", message, undefined, headers);
  }
}

export class SubscriptionLimit extends AppError {
  constructor(message: string) {
    super(402, "SUBSCRIPTION_LIMIT_EXCEEDED", message);
  }
}

/** A dependency the request needs is not configured or not reachable (retry later; the operator is told by the logs). */
export class ServiceUnavailable extends AppError {
  constructor(message = "Service unavailable") {
    super(503, "SERVICE_UNAVAILABLE", message);
  }
}

export class SystemLocked extends AppError {
  constructor(message = "System access is locked") {
    super(423, "SYSTEM_LOCKED", message);
  }
}

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;
