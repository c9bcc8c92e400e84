/**
 * Success and error bodies, one renderer per surface (see the design's endpoint contract).
 * This is the only place that decides what an error looks like on the wire.
 */
import type { AppError } from "./errors.ts";

export type Surface = "gateway" | "grc" | "cloudsentinel" | "securenet" | "platform";

export interface Rendered {
  statusCode: number;
  body: unknown;
}

export function renderSuccess(surface: Surface, statusCode: number, data: unknown): Rendered {
  if (surface === "securenet") {
    return { statusCode, body: { status: "success", data, timestamp: new Date().toISOString() } };
  }
  return { statusCode, body: data };
}

/** Validation failures: FastAPI-style 422 on cloudsentinel, 400 elsewhere. */
export function validationStatus(surface: Surface): number {
  return surface === "cloudsentinel" ? 422 : 400;
}

export function renderError(surface: Surface, error: AppError, requestId: string): Rendered {
  const status = error.code === "VALIDATION_ERROR" && error.issues ? validationStatus(surface) : error.statusCode;
  const internal = status >= 500;
  const message = internal ? "Internal server error" : error.message;
  switch (surface) {
    case "cloudsentinel": {
      if (status === 422 && error.issues) return { statusCode: status, body: { detail: error.issues } };
      return { statusCode: status, body: internal ? { detail: message, request_id: requestId } : { detail: message } };
    }
    case "securenet":
      return {
        statusCode: status,
        body: {
          status: "error",
          error: { code: error.code, message, ...(error.issues ? { details: error.issues } : {}) },
          ...(internal ? { request_id: requestId } : {}),
          timestamp: new Date().toISOString(),
        },
      };
    case "grc":
      return {
        statusCode: status,
        body: {
          error: message,
          details: internal
            ? `request_id ${requestId}`
            : (error.issues?.map((i) => `${i.loc.join(".")}: ${i.msg}`).join("; ") ?? error.code),
        },
      };
    default:
      return {
        statusCode: status,
        body: {
          error: error.code,
          message,
          ...(error.issues
            ? { details: error.issues.map((i) => ({ field: i.loc.join("."), message: i.msg, type: i.type })) }
            : {}),
          ...(internal ? { request_id: requestId } : {}),
        },
      };
  }
}
