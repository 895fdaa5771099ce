/**
 * The X.509 extension OIDs and keyUsage flag bits the certificate checks read (RFC 5280 4.2.1.3, 4.2.1.9, 4.2.1.12).
 * Spelled out here rather than imported from @peculiar/asn1-x509: a static import of that library would evaluate it
 * (and asn1js, asn1-schema, tslib under it) when the Lambda bundle loads, about 100 ms of module init for three
 * strings and an enum (docs/performance.md). The values are the RFC's; test/shared/notation/x509/extension-ids.test.ts
 * compares them with the library's.
 */

/** id-ce-keyUsage, RFC 5280 4.2.1.3. */
export const ID_CE_KEY_USAGE = '2.5.29.15';
/** id-ce-basicConstraints, RFC 5280 4.2.1.9. */
export const ID_CE_BASIC_CONSTRAINTS = '2.5.29.19';
/** id-ce-extKeyUsage, RFC 5280 4.2.1.12. */
export const ID_CE_EXT_KEY_USAGE = '2.5.29.37';

/** KeyUsage bits as readKeyUsage returns them: bit n of the BIT STRING (digitalSignature = 0) is 1 << n. */
export const KeyUsageFlags = Object.freeze({
  digitalSignature: 1 << 0,
  nonRepudiation: 1 << 1,
  keyEncipherment: 1 << 2,
  dataEncipherment: 1 << 3,
  keyAgreement: 1 << 4,
  keyCertSign: 1 << 5,
  cRLSign: 1 << 6,
  encipherOnly: 1 << 7,
  decipherOnly: 1 << 8,
});
