import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { localLambdaContext, toFunctionUrlEvent } from '../../functions/url-event';

export const FIXTURES = path.join(__dirname, '..', 'fixtures', 'admission');

export function fixture(name: string): string {
  return readFileSync(path.join(FIXTURES, name), 'utf8');
}

/** A function URL event (payload 2.0) as AWS delivers it. */
export function urlEvent(
  method: string,
  url: string,
  body?: string,
  options: { base64?: boolean; contentType?: string } = {},
): APIGatewayProxyEventV2 {
  const contentType = options.contentType ?? (options.base64 ? 'application/octet-stream' : 'application/json');
  return toFunctionUrlEvent({
    method,
    url,
    headers: { 'content-type': contentType, host: 'abc.lambda-url.eu-west-1.on.aws' },
    sourceIp: '10.0.0.1',
    body: Buffer.from(body ?? '', 'utf8'),
  });
}

export const context = () => localLambdaContext(30_000);

export interface ReviewBody {
  apiVersion: string;
  kind: string;
  response: {
    uid: string;
    allowed: boolean;
    status?: { code: number; reason: string; message: string };
    warnings?: string[];
    auditAnnotations?: Record<string, string>;
  };
}

/** The AdmissionReview of pod-create.json with its containers replaced by one per image (no init containers). */
export function podCreateReview(images: readonly string[]): string {
  const review = JSON.parse(fixture('pod-create.json')) as { request: { object: { spec: Record<string, unknown> } } };
  review.request.object.spec.containers = images.map((image, index) => ({ name: `c${index}`, image }));
  review.request.object.spec.initContainers = [];
  return JSON.stringify(review);
}
