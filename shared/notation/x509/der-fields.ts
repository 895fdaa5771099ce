/**
 * Decoders for the few certificate fields Notation's rules read and Node does not expose: validity, keyUsage,
 * basicConstraints, extKeyUsage, the signature algorithm. Walked by hand on DER that node:crypto has already parsed
 * (so the structure is known to be well formed): a schema parse of a certificate costs about 1 ms, which alone would
 * use half of the per-envelope budget.
 */
import { children, decodeOid, readTlv, type Tlv } from './der';

const SEQUENCE = 0x30;
const BOOLEAN = 0x01;
const INTEGER = 0x02;
const BIT_STRING = 0x03;
const OID = 0x06;
const UTC_TIME = 0x17;
const GENERALIZED_TIME = 0x18;

function top(der: Uint8Array, tag: number, what: string): Tlv {
  const t = readTlv(der, 0, der.length);
  if (t.tag !== tag || t.end !== der.length) throw new Error(`malformed ${what}`);
  return t;
}

const text = (der: Uint8Array, t: Tlv) => String.fromCharCode(...der.subarray(t.contentStart, t.end));

function decodeTime(der: Uint8Array, t: Tlv): number {
  const s = text(der, t);
  // RFC 5280 4.1.2.5: UTCTime YYMMDDHHMMSSZ (YY < 50 is 20YY), GeneralizedTime YYYYMMDDHHMMSSZ.
  const m =
    t.tag === UTC_TIME
      ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(s)
      : t.tag === GENERALIZED_TIME
        ? /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(s)
        : null;
  if (!m) throw new Error('malformed validity time');
  let year = Number(m[1]);
  if (t.tag === UTC_TIME) year += year < 50 ? 2000 : 1900;
  return Date.UTC(year, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
}

export function readValidity(der: Uint8Array): { notBeforeMs: number; notAfterMs: number } {
  const [from, to] = children(der, top(der, SEQUENCE, 'validity'));
  if (!from || !to) throw new Error('malformed validity');
  return { notBeforeMs: decodeTime(der, from), notAfterMs: decodeTime(der, to) };
}

/** KeyUsage BIT STRING as flags: bit n (digitalSignature = 0) -> 1 << n, like @peculiar/asn1-x509's KeyUsageFlags. */
export function readKeyUsage(der: Uint8Array): number {
  const t = top(der, BIT_STRING, 'keyUsage');
  let flags = 0;
  for (let bit = 0; bit < 9; bit++) {
    const byte = der[t.contentStart + 1 + (bit >> 3)];
    if (t.contentStart + 1 + (bit >> 3) < t.end && byte !== undefined && byte & (0x80 >> (bit & 7))) flags |= 1 << bit;
  }
  return flags;
}

export function readBasicConstraints(der: Uint8Array): { cA: boolean; pathLen: number | undefined } {
  const fields = children(der, top(der, SEQUENCE, 'basicConstraints'));
  let i = 0;
  let cA = false;
  if (fields[i]?.tag === BOOLEAN) {
    cA = der[fields[i]!.contentStart] !== 0;
    i++;
  }
  let pathLen: number | undefined;
  const len = fields[i];
  if (len?.tag === INTEGER) {
    if (len.end - len.contentStart > 4 || (der[len.contentStart]! & 0x80) !== 0) throw new Error('malformed pathLen');
    pathLen = 0;
    for (let j = len.contentStart; j < len.end; j++) pathLen = pathLen * 256 + der[j]!;
  }
  return { cA, pathLen };
}

export function readExtKeyUsage(der: Uint8Array): string[] {
  return children(der, top(der, SEQUENCE, 'extKeyUsage')).map((t) => {
    if (t.tag !== OID) throw new Error('malformed extKeyUsage');
    return decodeOid(der.subarray(t.contentStart, t.end));
  });
}

/** An AlgorithmIdentifier's OID and, for RSASSA-PSS, the OID inside hashAlgorithm [0] (undefined: the default). */
export function readAlgorithm(der: Uint8Array): { oid: string; pssHashOid: string | undefined } {
  const [id, params] = children(der, top(der, SEQUENCE, 'algorithm'));
  if (!id || id.tag !== OID) throw new Error('malformed algorithm');
  const oid = decodeOid(der.subarray(id.contentStart, id.end));
  let pssHashOid: string | undefined;
  if (params?.tag === SEQUENCE) {
    const hashField = children(der, params).find((f) => f.tag === 0xa0);
    const hashAlg = hashField ? children(der, hashField)[0] : undefined;
    const hashId = hashAlg?.tag === SEQUENCE ? children(der, hashAlg)[0] : undefined;
    if (hashId?.tag === OID) pssHashOid = decodeOid(der.subarray(hashId.contentStart, hashId.end));
  }
  return { oid, pssHashOid };
}
