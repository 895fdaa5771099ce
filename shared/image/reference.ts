import { InvalidReferenceError } from '../errors';
import type { ImageReference } from './types';

/**
 * Image references as docker's `distribution/reference` parses them (`ParseNormalizedNamed`), followed by
 * `TagNameOnly` (`:latest` when neither tag nor digest is given):
 *
 *   reference  := name [ ":" tag ] [ "@" digest ]
 *   name       := [domain "/"] path                      normalized name: at most 255 characters
 *   domain     := host [":" port]                        host: DNS-like name, IPv4, or [IPv6]
 *   path       := component ("/" component)*            lowercase; component: [a-z0-9]+ joined by . _ __ -+
 *   tag        := [\w][\w.-]{0,127}
 *   digest     := algorithm ":" hex                      sha256: 64, sha384: 96, sha512: 128 lowercase hex;
 *                                                        others: [A-Za-z][A-Za-z0-9]*([-_+.]…)* ":" 32+ hex
 *
 * The first path element is a registry only when it contains "." or ":", is `localhost`, or has upper case;
 * otherwise the registry is docker.io, and a single element gets `library/` (`ubuntu` -> docker.io/library/ubuntu).
 * `index.docker.io` is docker.io. Parsing is structural (split, then check each part) so that each failure has
 * a precise reason, and no regular expression ever backtracks over an unbounded input.
 */

const DEFAULT_DOMAIN = 'docker.io';
const LEGACY_DEFAULT_DOMAIN = 'index.docker.io';
const OFFICIAL_REPO_PREFIX = 'library/';
const DEFAULT_TAG = 'latest';

/** docker's RepositoryNameTotalLengthMax, applied to the normalized `domain/path` (see docs). */
export const MAX_NAME_LENGTH = 255;
/** Longer strings are refused before any parsing: name 255 + tag 128 + a sha512 digest fit easily. */
export const MAX_REFERENCE_LENGTH = 1024;

const DOMAIN_COMPONENT = /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])$/;
const IPV6_HOST = /^\[[a-fA-F0-9:]+\]$/;
const PORT = /^[0-9]+$/;
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^\w[\w.-]{0,127}$/;
const DIGEST_ALGORITHM = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*$/;
const HEX = /^[0-9a-fA-F]+$/;
const LOWER_HEX = /^[0-9a-f]+$/;
/** A bare image ID: docker refuses it as a repository name to avoid confusing IDs with names. */
const IMAGE_ID = /^[a-f0-9]{64}$/;

/** Hex lengths of the algorithms docker registers; other algorithms follow the general grammar only. */
const KNOWN_DIGEST_HEX_LENGTHS: Readonly<Record<string, number>> = { sha256: 64, sha384: 96, sha512: 128 };
const MIN_DIGEST_HEX_LENGTH = 32;

/**
 * Parses and normalizes an image reference; throws InvalidReferenceError whose message is the precise reason
 * (callers show it next to the image, which the error also carries as `input`).
 */
export function parseReference(input: string): ImageReference {
  const fail = (reason: string): never => {
    throw new InvalidReferenceError(input, reason);
  };
  if (typeof input !== 'string') return fail('the reference is not a string');
  if (input.length === 0) return fail('the reference is empty');
  if (input.length > MAX_REFERENCE_LENGTH)
    return fail(`the reference is longer than ${MAX_REFERENCE_LENGTH} characters`);
  if (IMAGE_ID.test(input)) return fail('a 64-character hexadecimal string is an image ID, not a repository name');

  const { name, tag, digest } = splitReference(input, fail);
  const { domain, path } = splitDomain(name);

  checkDomain(domain, fail);
  checkPath(path, fail);
  const normalizedName = `${domain}/${path}`;
  if (normalizedName.length > MAX_NAME_LENGTH) {
    fail(`the repository name is ${normalizedName.length} characters long, more than ${MAX_NAME_LENGTH}`);
  }
  if (tag !== undefined) checkTag(tag, fail);
  if (digest !== undefined) checkDigest(digest, fail);

  const effectiveTag = tag === undefined && digest === undefined ? DEFAULT_TAG : tag;
  const reference =
    normalizedName +
    (effectiveTag === undefined ? '' : `:${effectiveTag}`) +
    (digest === undefined ? '' : `@${digest}`);
  return { original: input, domain, path, name: normalizedName, tag: effectiveTag, digest, reference };
}

type Fail = (reason: string) => never;

/** `name[:tag][@digest]`: the digest follows the first "@"; the tag follows a ":" after the last "/". */
function splitReference(input: string, fail: Fail): { name: string; tag?: string; digest?: string } {
  let rest = input;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (digest.includes('@')) fail('the reference contains more than one "@"');
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  if (rest.length === 0) fail('the repository name is missing');
  return { name: rest, tag, digest };
}

/** docker's splitDockerDomain: decides whether the first element names a registry. */
function splitDomain(name: string): { domain: string; path: string } {
  const slash = name.indexOf('/');
  let domain = DEFAULT_DOMAIN;
  let path = name;
  if (slash >= 0) {
    const first = name.slice(0, slash);
    const isDomain =
      first === 'localhost' || first.includes('.') || first.includes(':') || first.toLowerCase() !== first;
    if (isDomain) {
      domain = first === LEGACY_DEFAULT_DOMAIN ? DEFAULT_DOMAIN : first;
      path = name.slice(slash + 1);
    }
  }
  if (domain === DEFAULT_DOMAIN && !path.includes('/')) path = OFFICIAL_REPO_PREFIX + path;
  return { domain, path };
}

function checkDomain(domain: string, fail: Fail): void {
  let host = domain;
  let port: string | undefined;
  if (domain.startsWith('[')) {
    const close = domain.indexOf(']');
    host = close < 0 ? domain : domain.slice(0, close + 1);
    const after = close < 0 ? '' : domain.slice(close + 1);
    if (after !== '') {
      if (!after.startsWith(':')) fail(`registry "${shorten(domain)}": only ":port" may follow an IPv6 address`);
      port = after.slice(1);
    }
    if (!IPV6_HOST.test(host)) {
      fail(`registry "${shorten(domain)}": an IPv6 address must be hexadecimal digits and ":" in brackets (no zone)`);
    }
  } else {
    const colon = domain.indexOf(':');
    if (colon >= 0) {
      host = domain.slice(0, colon);
      port = domain.slice(colon + 1);
    }
    const components = host.split('.');
    if (!components.every((component) => DOMAIN_COMPONENT.test(component))) {
      fail(
        `registry "${shorten(domain)}" is not a valid host name: use letters, digits and "-" (not at either end) between dots`,
      );
    }
  }
  if (port !== undefined && !PORT.test(port)) fail(`registry "${shorten(domain)}": the port must be digits`);
}

function checkPath(path: string, fail: Fail): void {
  if (path.toLowerCase() !== path) fail(`the repository path "${shorten(path)}" must be lowercase`);
  for (const component of path.split('/')) {
    if (component === '')
      fail(`the repository path "${shorten(path)}" has an empty component (leading, trailing or "//")`);
    if (!PATH_COMPONENT.test(component)) {
      fail(
        `the path component "${shorten(component)}" must be lowercase letters and digits, joined by ".", "_", "__" or dashes, ` +
          'and start and end with a letter or digit',
      );
    }
  }
}

function checkTag(tag: string, fail: Fail): void {
  if (tag === '') fail('the tag after ":" is empty');
  if (tag.length > 128) fail('the tag is longer than 128 characters');
  if (!TAG.test(tag)) {
    fail(`the tag "${tag}" must start with a letter, digit or "_" and contain only letters, digits, "_", "." and "-"`);
  }
}

function checkDigest(digest: string, fail: Fail): void {
  const colon = digest.indexOf(':');
  if (colon < 0) fail(`the digest "${shorten(digest)}" must be "algorithm:hex", e.g. "sha256:<64 hex digits>"`);
  const algorithm = digest.slice(0, colon);
  const hex = digest.slice(colon + 1);
  if (!DIGEST_ALGORITHM.test(algorithm)) fail(`the digest algorithm "${shorten(algorithm)}" is not valid`);
  const knownLength = KNOWN_DIGEST_HEX_LENGTHS[algorithm];
  if (knownLength !== undefined) {
    if (hex.length !== knownLength || !LOWER_HEX.test(hex)) {
      fail(`a ${algorithm} digest must be ${knownLength} lowercase hexadecimal digits (got ${hex.length} characters)`);
    }
    return;
  }
  if (hex.length < MIN_DIGEST_HEX_LENGTH || !HEX.test(hex)) {
    fail(`the digest value must be at least ${MIN_DIGEST_HEX_LENGTH} hexadecimal digits`);
  }
}

function shorten(value: unknown): string {
  const text = String(value);
  return text.length > 100 ? `${text.slice(0, 97)}...` : text;
}
