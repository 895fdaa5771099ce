import { X509Certificate } from 'node:crypto';
import { HTTP_PATHS } from '../shared/constants';
import { InvalidInputError } from '../shared/errors';
import { withoutTrailingSlashes } from '../shared/url';

/**
 * Checks of what a user types into `webhook-config --url/--ca-bundle`, before a configuration is printed: each
 * mistake here yields YAML that kubectl applies happily and an apiserver that then fails every admission (a
 * doubled `/validate/validate` path, a plain-http URL the apiserver refuses, a bundle it cannot parse).
 */

/** Lambda function URLs: `<url-id>.lambda-url.<region>.on.aws` (AWS Lambda developer guide, "Function URLs"). */
const LAMBDA_FUNCTION_URL_HOST = /\.lambda-url\.[a-z0-9-]+\.on\.aws$/i;

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\s]+?-----END CERTIFICATE-----/g;

/** The base URL as given: https, parseable, and not already ending in one of the webhook's own paths. */
export function assertUsableBaseUrl(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InvalidInputError(`--url ${JSON.stringify(url)} is not a URL`);
  }
  if (parsed.protocol !== 'https:') {
    throw new InvalidInputError('--url must be an https URL (the apiserver requires TLS)');
  }
  const path = withoutTrailingSlashes(parsed.pathname);
  for (const own of [HTTP_PATHS.validate, HTTP_PATHS.mutate]) {
    if (path === own || path.endsWith(own) || path.includes(`${own}/`)) {
      throw new InvalidInputError(
        `--url is the base URL of the webhook: leave out ${own} (webhook-config appends ${HTTP_PATHS.validate} or ${HTTP_PATHS.mutate} and the token itself)`,
      );
    }
  }
}

/** `caBundle` is base64 of one or more PEM certificates (admissionregistration.k8s.io/v1 WebhookClientConfig). */
export function assertPemCaBundle(caBundle: string): void {
  const compact = caBundle.replace(/\s+/g, '');
  const refuse = (why: string) =>
    new InvalidInputError(`--ca-bundle must be base64 of PEM certificates, e.g. "$(base64 -w0 ca.pem)": ${why}`);
  if (compact === '' || !/^[A-Za-z0-9+/]+={0,2}$/.test(compact) || compact.length % 4 !== 0) {
    throw refuse('it is not base64');
  }
  const decoded = Buffer.from(compact, 'base64').toString('latin1');
  if (decoded.includes('-----BEGIN CERTIFICATE-----') === false) {
    throw refuse(
      decoded.startsWith('-----BEGIN') ? 'it holds PEM but no CERTIFICATE block' : 'it does not decode to PEM',
    );
  }
  const blocks = decoded.match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0) throw refuse('its CERTIFICATE block is not complete');
  blocks.forEach((block, index) => {
    try {
      new X509Certificate(block);
    } catch {
      throw refuse(`certificate ${index + 1} does not parse as X.509`);
    }
  });
}

/** True for a Lambda function URL, whose endpoint anyone on the internet can reach: the token is its only guard. */
export function isLambdaFunctionUrl(url: string): boolean {
  try {
    return LAMBDA_FUNCTION_URL_HOST.test(new URL(url).hostname);
  } catch {
    return false;
  }
}
