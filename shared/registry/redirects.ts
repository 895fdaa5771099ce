/**
 * Following redirects of a registry request by hand. Manifests and API calls stay on the registry's origin (as the
 * Notary transport does). Blobs may be redirected elsewhere (ECR and Docker Hub send them to pre-signed S3 or CDN
 * URLs): such a hop is followed WITHOUT the `Authorization` header, which belongs to the registry alone, and never
 * from https down to plain http.
 */
import { TrustError } from '../errors';
import { type HttpRequest, type HttpResponse, type HttpTransport, isRedirect, MAX_REDIRECTS } from './http';
import { isLoopbackHost } from './loopback';

export type RedirectPolicy = 'same-origin' | 'any-origin-without-authorization';

export async function requestFollowingRedirects(
  transport: HttpTransport,
  request: HttpRequest,
  policy: RedirectPolicy,
): Promise<HttpResponse> {
  const { name, errorCode } = request.origin;
  const first = new URL(request.url);
  let current = request;
  for (let hop = 0; ; hop++) {
    const response = await transport.request(current);
    if (!isRedirect(response.status)) return response;
    const location = response.headers.location;
    if (!location) throw new TrustError(errorCode, `${name} answered ${response.status} without a Location.`);
    const from = new URL(current.url);
    const to = new URL(location, from);
    if (to.protocol !== 'https:' && to.protocol !== 'http:') {
      throw new TrustError(errorCode, `${name} redirected to a ${to.protocol} URL; only http(s) is followed.`);
    }
    if (to.origin !== first.origin) {
      if (policy === 'same-origin') {
        throw new TrustError(
          errorCode,
          `${name} at ${from.origin} redirected to another origin (${to.origin}); only blob downloads may leave the registry.`,
        );
      }
      if (to.protocol === 'http:' && first.protocol === 'https:' && !isLoopbackHost(to.hostname)) {
        throw new TrustError(errorCode, `${name} redirected a download from https to plain http (${to.origin}).`);
      }
    }
    if (hop >= MAX_REDIRECTS) {
      throw new TrustError(errorCode, `${name} at ${from.origin} redirected more than ${MAX_REDIRECTS} times.`);
    }
    const headers = { ...current.headers };
    // The registry's credentials never go to another origin (a pre-signed URL needs none, and must not see them).
    if (to.origin !== first.origin) delete headers.authorization;
    // The extra CA is the registry's: another origin is checked against the system roots only.
    current = { ...current, url: to.href, headers, ca: to.origin === first.origin ? request.ca : undefined };
  }
}
