/**
 * A minimal DER walker: just enough to take the exact bytes of a certificate's TBSCertificate, issuer and subject
 * (Notation compares issuer and subject names byte for byte, and parsers that re-encode may not give the bytes back).
 */

interface Tlv {
  readonly tag: number;
  /** Offset of the tag byte. */
  readonly start: number;
  /** Offset of the first content byte. */
  readonly contentStart: number;
  /** Offset one past the last content byte. */
  readonly end: number;
}

function readTlv(der: Uint8Array, offset: number, limit: number): Tlv {
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
function children(der: Uint8Array, parent: Tlv): Tlv[] {
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
}

const SEQUENCE = 0x30;
const EXPLICIT_VERSION = 0xa0;

/** The raw TBSCertificate, issuer Name and subject Name of a DER certificate. */
export function certificateParts(der: Uint8Array): CertificateParts {
  const cert = readTlv(der, 0, der.length);
  if (cert.tag !== SEQUENCE || cert.end !== der.length) throw new Error('not a DER certificate');
  const [tbs] = children(der, cert);
  if (!tbs || tbs.tag !== SEQUENCE) throw new Error('not a DER certificate');
  const fields = children(der, tbs);
  // TBSCertificate: [0] version (optional), serialNumber, signature, issuer, validity, subject, ...
  const base = fields[0]?.tag === EXPLICIT_VERSION ? 1 : 0;
  const issuer = fields[base + 2];
  const subject = fields[base + 4];
  if (!issuer || !subject || issuer.tag !== SEQUENCE || subject.tag !== SEQUENCE)
    throw new Error('not a DER certificate');
  return {
    tbs: der.subarray(tbs.start, tbs.end),
    issuer: der.subarray(issuer.start, issuer.end),
    subject: der.subarray(subject.start, subject.end),
  };
}
