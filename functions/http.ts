import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { InvalidAdmissionReviewError } from '../shared/errors';

/** The function URL response shape (payload 2.0). */
export type HttpResponse = APIGatewayProxyStructuredResultV2;

/**
 * An HTTP-shaped error: a status, a stable code and a reason safe to show the caller (`expose`). Middlewares
 * throw it; the error handler turns it into a JSON response.
 */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly options: { cause?: unknown; headers?: Record<string, string>; expose?: boolean } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'HttpError';
  }

  get expose(): boolean {
    return this.options.expose ?? this.statusCode < 500;
  }
}

export function jsonResponse(statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResponse {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers },
    body: JSON.stringify(body),
  };
}

/** The body of every error response: `{ "error": CODE, "reason": "…" }`. */
export function errorResponse(error: HttpError): HttpResponse {
  const reason = error.expose ? error.message : 'internal error';
  return jsonResponse(error.statusCode, { error: error.code, reason }, error.options.headers);
}

/**
 * The 400 for a body that is JSON but not an AdmissionReview, with the parser's reason (the field and what is wrong
 * with it). One function, so that the loaded chain and the fail-closed answers word it alike.
 */
export function invalidReviewResponse(error: InvalidAdmissionReviewError): HttpResponse {
  return errorResponse(new HttpError(400, error.code, error.message, { cause: error }));
}
