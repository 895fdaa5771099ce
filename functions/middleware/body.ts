import type middy from '@middy/core';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { gateState, type WebhookRequest } from '../context';
import { HttpError, type HttpResponse } from '../http';

/** The apiserver caps requests near 3 MiB (etcd's object limit); anything larger is not a real admission. */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;

const defaults = { maxBodyBytes: MAX_BODY_BYTES };

/**
 * Decodes the body (function URLs base64-encode some bodies), refuses it when larger than the limit (413)
 * before decoding it in full, and parses it as JSON (400 with the parser's reason otherwise).
 */
export function jsonBodyMiddleware(
  options: Partial<typeof defaults> = {},
): middy.MiddlewareObj<APIGatewayProxyEventV2, HttpResponse, Error, Context> {
  const { maxBodyBytes } = { ...defaults, ...options };
  const jsonBodyMiddlewareBefore = async (request: WebhookRequest): Promise<undefined> => {
    const { body, isBase64Encoded } = request.event;
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
      gateState(request).body = JSON.parse(text);
    } catch (error) {
      throw new HttpError(400, 'INVALID_ADMISSION_REVIEW', `the body is not JSON: ${(error as Error).message}`, {
        cause: error,
      });
    }
    return undefined;
  };
  return {
    before: jsonBodyMiddlewareBefore as middy.MiddlewareFn<APIGatewayProxyEventV2, HttpResponse, Error, Context>,
  };
}
