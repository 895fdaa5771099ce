import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { gateState } from '../context';
import { HttpError } from '../http';
import { type WebhookMiddleware, type WebhookMiddlewareFn, webhookMiddleware } from './webhook-middleware';

/** The apiserver caps requests near 3 MiB (etcd's object limit); anything larger is not a real admission. */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;

const defaults = { maxBodyBytes: MAX_BODY_BYTES };

/** Puts the decoded JSON body on the state (see decodeBody: 413 past the limit, 400 for no body or not JSON). */
export function jsonBodyMiddleware(options: Partial<typeof defaults> = {}): WebhookMiddleware {
  const { maxBodyBytes } = { ...defaults, ...options };
  const jsonBodyMiddlewareBefore: WebhookMiddlewareFn = async (request) => {
    gateState(request).body = decodeBody(request.event, maxBodyBytes);
    return undefined;
  };
  return webhookMiddleware({ before: jsonBodyMiddlewareBefore });
}

/**
 * The body of a function URL event as JSON, the one decoder of the chain (the body middleware and the fail-closed
 * answers both use it, so a body is judged alike whether or not the configuration loaded). Decodes base64 (function
 * URLs deliver some bodies so), refuses a body larger than `maxBodyBytes` from its length before decoding it in full,
 * and parses it. Throws HttpError: 413 PAYLOAD_TOO_LARGE, or 400 INVALID_ADMISSION_REVIEW with the reason.
 */
export function decodeBody(
  event: Pick<APIGatewayProxyEventV2, 'body' | 'isBase64Encoded'>,
  maxBodyBytes: number = MAX_BODY_BYTES,
): unknown {
  const { body, isBase64Encoded } = event;
  if (body === undefined || body === null || body === '') {
    throw new HttpError(400, 'INVALID_ADMISSION_REVIEW', 'the request has no body; send an AdmissionReview as JSON');
  }
  // Upper bounds first, so that a huge body is refused without decoding it.
  const encodedBytesMax = isBase64Encoded ? Math.floor((body.length * 3) / 4) : body.length * 3;
  if (encodedBytesMax > maxBodyBytes) {
    const bytes = isBase64Encoded ? Buffer.byteLength(body, 'base64') : Buffer.byteLength(body, 'utf8');
    if (bytes > maxBodyBytes) {
      throw new HttpError(413, 'PAYLOAD_TOO_LARGE', `the body has ${bytes} bytes; the limit is ${maxBodyBytes}`);
    }
  }
  const text = isBase64Encoded ? Buffer.from(body, 'base64').toString('utf8') : body;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new HttpError(400, 'INVALID_ADMISSION_REVIEW', `the body is not JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
}
