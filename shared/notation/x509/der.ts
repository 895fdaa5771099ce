/**
 * A minimal DER walker: just enough to take the exact bytes of a certificate's TBSCertificate, issuer and subject
 * (Notation compares issuer and subject names byte for byte, and parsers that re-encode may not give the bytes back).
 */
import { Buffer } from 'node:buffer';

export interface Tlv {
  readonly tag: number;
  /** Offset of the tag byte. */
  readonly start: number;
  /** Offset of the first content byte. */
  readonly contentStart: number;
  /** Offset one past the last content byte. */
  readonly end: number;
}

export function readTlv(der: Uint8Array, offset: number, limit: number): Tlv {
  if (offset + 2 > limit) throw new Error('truncated DER');
  const tag = der[offset]!;
  if ((tag & 0x1f) === 0x1f) throw new Error('multi-byte DER tags are not used in certificates');
  let length = der[offset + 1]!;
  let contentStart = offset + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    // DER forbids the indefinite form (0x80) and certificates never need more than 4 length bytes.
    if (count === 0 || count > 4) throw new Error('unsupported DER length');
    if (contentStart + count > limit) throw new Error('truncated DER');
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + der[contentStart + i]!;
    contentStart += count;
  }
  const end = contentStart + length;
  if (end > limit) throw new Error('truncated DER');
  return { tag, start: offset, contentStart, end };
}

/** Children of a constructed TLV. */
export function children(der: Uint8Array, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  let offset = parent.contentStart;
  while (offset < parent.end) {
    const child = readTlv(der, offset, parent.end);
    out.push(child);
    offset = child.end;
  }
  return out;
}

export interface CertificateParts {
  readonly tbs: Uint8Array;
  readonly issuer: Uint8Array;
  readonly subject: Uint8Array;
  readonly validity: Uint8Array;
  /** The Extensions SEQUENCE inside [3], when present. */
  readonly extensions: Uint8Array | undefined;
  /** The outer signatureAlgorithm AlgorithmIdentifier. */
  readonly signatureAlgorithm: Uint8Array;
}

const SEQUENCE = 0x30;
const EXPLICIT_VERSION = 0xa0;
const EXPLICIT_EXTENSIONS = 0xa3;

/** The raw TBSCertificate, issuer Name and subject Name of a DER certificate. */
export function certificateParts(der: Uint8Array): CertificateParts {
  const cert = readTlv(der, 0, der.length);
  if (cert.tag !== SEQUENCE || cert.end !== der.length) throw new Error('not a DER certificate');
  const [tbs, sigAlg, sigValue] = children(der, cert);
  if (!tbs || tbs.tag !== SEQUENCE || !sigAlg || sigAlg.tag !== SEQUENCE || !sigValue)
    throw new Error('not a DER certificate');
  const fields = children(der, tbs);
  // TBSCertificate: [0] version (optional), serialNumber, signature, issuer, validity, subject, ...
  const base = fields[0]?.tag === EXPLICIT_VERSION ? 1 : 0;
  const issuer = fields[base + 2];
  const validity = fields[base + 3];
  const subject = fields[base + 4];
  if (!issuer || !subject || !validity || issuer.tag !== SEQUENCE || subject.tag !== SEQUENCE) {
    throw new Error('not a DER certificate');
  }
  const extWrapper = fields.slice(base + 6).find((f) => f.tag === EXPLICIT_EXTENSIONS);
  const extensions = extWrapper ? children(der, extWrapper)[0] : undefined;
  const bytes = (t: Tlv) => der.subarray(t.start, t.end);
  return {
    tbs: bytes(tbs),
    issuer: bytes(issuer),
    subject: bytes(subject),
    validity: bytes(validity),
    extensions: extensions ? bytes(extensions) : undefined,
    signatureAlgorithm: bytes(sigAlg),
  };
}

const OID = 0x06;
const BOOLEAN = 0x01;
const OCTET_STRING = 0x04;
const SET = 0x31;

export function decodeOid(bytes: Uint8Array): string {
  if (bytes.length === 0) throw new Error('empty OID');
  const arcs: number[] = [];
  let value = 0;
  for (const byte of bytes) {
    value = value * 128 + (byte & 0x7f);
    if (!(byte & 0x80)) {
      arcs.push(value);
      value = 0;
    }
  }
  const first = arcs.shift()!;
  const head = first < 40 ? [0, first] : first < 80 ? [1, first - 40] : [2, first - 80];
  return [...head, ...arcs].join('.');
}

function decodeString(der: Uint8Array, t: Tlv): string {
  const content = Buffer.from(der.buffer, der.byteOffset + t.contentStart, t.end - t.contentStart);
  switch (t.tag) {
    case 0x0c: // UTF8String
      return content.toString('utf8');
    case 0x13: // PrintableString
    case 0x16: // IA5String
    case 0x14: // TeletexString (T.61; Latin-1 is what Go and OpenSSL assume in practice)
      return content.toString('latin1');
    case 0x1e: // BMPString: UTF-16BE
      return Buffer.from(content).swap16().toString('utf16le');
    case 0x1c: // UniversalString: UTF-32BE
      return String.fromCodePoint(...Array.from({ length: content.length / 4 }, (_, i) => content.readUInt32BE(i * 4)));
    default:
      // Not a string type: shown as hex, as Go shows unknown attribute values (#...).
      return `#${Buffer.from(der.subarray(t.start, t.end)).toString('hex')}`;
  }
}

export interface RawAttribute {
  readonly oid: string;
  readonly value: string;
}

/**
 * A Name (RDNSequence: SEQUENCE OF SET OF AttributeTypeAndValue) as attributes per RDN, in encoding order. Walked by
 * hand: a schema parse of a Name costs half a millisecond.
 */
export function readName(name: Uint8Array): RawAttribute[][] {
  const seq = readTlv(name, 0, name.length);
  if (seq.tag !== SEQUENCE || seq.end !== name.length) throw new Error('not a DER Name');
  return children(name, seq).map((set) => {
    if (set.tag !== SET) throw new Error('not a DER Name');
    return children(name, set).map((atv) => {
      const [type, value] = children(name, atv);
      if (atv.tag !== SEQUENCE || !type || type.tag !== OID || !value) throw new Error('not a DER Name');
      return { oid: decodeOid(name.subarray(type.contentStart, type.end)), value: decodeString(name, value) };
    });
  });
}

export interface RawExtension {
  readonly oid: string;
  readonly critical: boolean;
  /** The extnValue OCTET STRING's content (the DER of the extension's own value). */
  readonly value: Uint8Array;
}

/** The Extensions SEQUENCE as (oid, critical, value) triples. */
export function readExtensions(exts: Uint8Array): RawExtension[] {
  const seq = readTlv(exts, 0, exts.length);
  if (seq.tag !== SEQUENCE || seq.end !== exts.length) throw new Error('not DER Extensions');
  return children(exts, seq).map((ext) => {
    const fields = ext.tag === SEQUENCE ? children(exts, ext) : [];
    const [id, second, third] = fields;
    const hasCritical = second?.tag === BOOLEAN;
    const octets = hasCritical ? third : second;
    if (!id || id.tag !== OID || !octets || octets.tag !== OCTET_STRING || fields.length !== (hasCritical ? 3 : 2)) {
      throw new Error('not a DER Extension');
    }
    // DER encodes TRUE as 0xff; a present FALSE is not DER (DEFAULT values are omitted) and reads as not critical.
    const critical = hasCritical && second.end - second.contentStart === 1 && exts[second.contentStart] === 0xff;
    return {
      oid: decodeOid(exts.subarray(id.contentStart, id.end)),
      critical,
      value: exts.subarray(octets.contentStart, octets.end),
    };
  });
}
