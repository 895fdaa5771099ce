/**
 * COSE envelopes (signature-specification.md, "COSE"; RFC 9052): COSE_Sign1_Tagged (tag 18) of
 * [protected bstr, unprotected map, payload bstr, signature bstr], decoded strictly: definite lengths, minimal
 * integers, no duplicate map keys, no tags but 18 outside and 1 (epoch time) for the Notation times. The signature
 * is over the Sig_structure ["Signature1", protected bytes as received, h'', payload].
 * cborg is ESM-only and not needed for JWS: it is imported on first use.
 */
import { HEADER, MEDIA_TYPE } from '../media-types';
import { MAX_CHAIN_LENGTH } from '../x509/chain';
import { algorithmFromCose } from './algorithms';
import { checkProtectedHeaders } from './headers';
import { type EnvelopeContent, EnvelopeError } from './types';

type Cborg = typeof import('cborg');
let cborg: Promise<Cborg> | undefined;
const loadCborg = (): Promise<Cborg> => {
  cborg ??= import('cborg');
  return cborg;
};

const COSE_SIGN1_TAG = 18;
const EPOCH_TIME_TAG = 1;
const LABEL = { alg: 1, crit: 2, contentType: 3, x5chain: 33 } as const;
const STANDARD_TEXT_LABELS = new Set<string>([
  HEADER.signingScheme,
  HEADER.signingTime,
  HEADER.authenticSigningTime,
  HEADER.expiry,
]);

function strictDecode(c: Cborg, bytes: Uint8Array, tags: readonly number[], what: string): unknown {
  try {
    return c.decode(bytes, {
      useMaps: true,
      rejectDuplicateMapKeys: true,
      strict: true,
      allowIndefinite: false,
      allowUndefined: false,
      allowInfinity: false,
      allowNaN: false,
      tags: c.Tagged.preserve(...tags),
    });
  } catch (cause) {
    throw new EnvelopeError(`${what} is not strict CBOR: ${(cause as Error).message}`, { cause });
  }
}

function epochTime(c: Cborg, value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  // notation-core-go accepts only tag 1 (epoch seconds) for the Notation times.
  if (!(value instanceof c.Tagged) || value.tag !== EPOCH_TIME_TAG)
    throw new EnvelopeError(`${name} is not a tag 1 time`);
  const seconds = value.value;
  if (typeof seconds !== 'number' || !Number.isFinite(seconds)) throw new EnvelopeError(`${name} is not an epoch time`);
  return Math.round(seconds * 1000);
}

/** Header name of a COSE label: text labels as they are, integers as `#<n>`. */
function labelName(label: unknown): string {
  if (typeof label === 'string') return label;
  if (typeof label === 'number' && Number.isInteger(label)) return `#${label}`;
  throw new EnvelopeError('a COSE header label is neither an integer nor text');
}

export async function parseCose(bytes: Uint8Array): Promise<EnvelopeContent> {
  const c = await loadCborg();
  const top = strictDecode(c, bytes, [COSE_SIGN1_TAG], 'the COSE envelope');
  if (!(top instanceof c.Tagged) || top.tag !== COSE_SIGN1_TAG)
    throw new EnvelopeError('not a COSE_Sign1_Tagged (tag 18)');
  const parts = top.value;
  if (!Array.isArray(parts) || parts.length !== 4) throw new EnvelopeError('COSE_Sign1 is not a 4-element array');
  const [protectedBytes, unprotected, payload, signature] = parts as unknown[];
  if (!(protectedBytes instanceof Uint8Array) || protectedBytes.length === 0) {
    throw new EnvelopeError('COSE protected header is not a non-empty byte string');
  }
  if (!(unprotected instanceof Map)) throw new EnvelopeError('COSE unprotected header is not a map');
  if (!(payload instanceof Uint8Array))
    throw new EnvelopeError('COSE payload is missing (detached payloads are not used)');
  if (!(signature instanceof Uint8Array) || signature.length === 0) throw new EnvelopeError('COSE signature is empty');

  const ph = strictDecode(c, protectedBytes, [EPOCH_TIME_TAG], 'the COSE protected header');
  if (!(ph instanceof Map)) throw new EnvelopeError('COSE protected header is not a map');
  const present = new Set<string>();
  const extended = new Map<string, unknown>();
  for (const [label, value] of ph) {
    present.add(labelName(label));
    if (typeof label === 'string' && !STANDARD_TEXT_LABELS.has(label)) extended.set(label, value);
  }
  const crit = ph.get(LABEL.crit);
  const checked = checkProtectedHeaders({
    alg: algorithmFromCose(ph.get(LABEL.alg)) ?? ph.get(LABEL.alg),
    contentType: ph.get(LABEL.contentType),
    crit: Array.isArray(crit) ? crit.map(labelName) : crit,
    signingScheme: ph.get(HEADER.signingScheme),
    signingTimeMs: epochTime(c, ph.get(HEADER.signingTime), HEADER.signingTime),
    authenticSigningTimeMs: epochTime(c, ph.get(HEADER.authenticSigningTime), HEADER.authenticSigningTime),
    expiryMs: epochTime(c, ph.get(HEADER.expiry), HEADER.expiry),
    present,
    extended,
  });

  // notation reads the chain only from the unprotected header, and only as an array.
  const x5chain = unprotected.get(LABEL.x5chain);
  if (!Array.isArray(x5chain) || x5chain.length === 0)
    throw new EnvelopeError('COSE x5chain (label 33) is missing or not an array');
  if (x5chain.length > MAX_CHAIN_LENGTH)
    throw new EnvelopeError(`COSE x5chain has more than ${MAX_CHAIN_LENGTH} certificates`);
  if (!x5chain.every((cert) => cert instanceof Uint8Array && cert.length > 0)) {
    throw new EnvelopeError('COSE x5chain holds something other than certificates');
  }
  const tsa = unprotected.get(HEADER.timestampSignature);
  if (tsa !== undefined && !(tsa instanceof Uint8Array))
    throw new EnvelopeError(`${HEADER.timestampSignature} is not a byte string`);
  const agent = unprotected.get(HEADER.signingAgent);
  if (agent !== undefined && typeof agent !== 'string') throw new EnvelopeError(`${HEADER.signingAgent} is not text`);

  return {
    mediaType: MEDIA_TYPE.cose,
    payload,
    ...checked,
    certsDer: x5chain as Uint8Array[],
    signature,
    signedBytes: c.encode(['Signature1', protectedBytes, new Uint8Array(0), payload]),
    pssSalt: 'hashLength',
    timestampToken: tsa,
    signingAgent: agent,
  };
}
