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
  constructor(message = "Service unavailable", headers?: Record<string, string>) {
    super(503, "SERVICE_UNAVAILABLE", message, undefined, headers);
  }
}

/** AWS error names that mean "busy or not reachable right now", never "your request is wrong". */
const TRANSIENT_AWS_ERRORS = new Set([
  "ThrottlingException",
  "Throttling",
  "ProvisionedThroughputExceededException",
  "RequestLimitExceeded",
  "TooManyRequestsException",
  "TransactionConflictException",
  "TransactionInProgressException",
  "InternalServerError",
  "InternalFailure",
  "ServiceUnavailable",
  "ServiceUnavailableException",
  "TimeoutError",
  "RequestTimeout",
  "RequestTimeoutException",
]);
/** Cancellation reasons of a transaction that a retry can clear (a condition that failed cannot). */
const TRANSIENT_CANCELLATIONS = new Set(["TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded"]);
const NETWORK_ERRORS = new Set(["ECONNRESET", "ECONNREFUSED", "ETIMEDOUT", "EPIPE", "EAI_AGAIN", "ECONNABORTED"]);

/**
 * A dependency's transient refusal — throttling, a transaction conflict after the SDK's own retries,
 * a timeout, a dropped connection — is the client's to retry, not a fault in the request or a bug:
 * the kit answers it 503 with `Retry-After` instead of 500. Anything else: undefined.
 */
export function transientDependencyError(err: unknown): ServiceUnavailable | undefined {
  if (typeof err !== "object" || err === null) return undefined;
  const e = err as {
    name?: string;
    code?: string;
    $retryable?: unknown;
    CancellationReasons?: { Code?: string }[];
  };
  const transient =
    (e.name !== undefined && TRANSIENT_AWS_ERRORS.has(e.name)) ||
    (e.code !== undefined && NETWORK_ERRORS.has(e.code)) ||
    e.$retryable !== undefined ||
    (e.name === "TransactionCanceledException" &&
      (e.CancellationReasons ?? []).some((r) => r.Code !== undefined && TRANSIENT_CANCELLATIONS.has(r.Code)) &&
      !(e.CancellationReasons ?? []).some((r) => r.Code === "ConditionalCheckFailed"));
  return transient
    ? new ServiceUnavailable("The service is busy right now; retry the request shortly", { "Retry-After": "1" })
    : undefined;
}

export class SystemLocked extends AppError {
  constructor(message = "System access is locked") {
    super(423, "SYSTEM_LOCKED", message);
  }
}

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;
