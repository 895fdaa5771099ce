/**
 * Trust stores (trust-store-trust-policy.md, "Trust Store"): named sets of certificates by type. Built from files
 * (PEM with one or more certificates, or DER), each certificate checked as notation-go does: a CA, or a
 * self-signed signing certificate. Lookups by DER bytes answer "is any chain certificate in these stores".
 */
import { Buffer } from 'node:buffer';
import { createHash, type X509Certificate } from 'node:crypto';
import type { TrustStores, TrustStoreType } from '../types';
import { isSelfSigned } from '../x509/chain';
import { parseCertificate } from '../x509/parse';

export interface TrustStoreFile {
  readonly type: TrustStoreType;
  readonly name: string;
  /** For error messages: where the file came from. */
  readonly fileName: string;
  readonly bytes: Uint8Array;
}

export class TrustStoreError extends Error {}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

/** The DER certificates of one file: PEM blocks of type CERTIFICATE, or the file itself as DER. */
export function certificatesInFile(bytes: Uint8Array, fileName: string): Uint8Array[] {
  const text = Buffer.from(bytes).toString('latin1');
  if (!text.includes('-----BEGIN')) return [bytes];
  const ders: Uint8Array[] = [];
  for (const m of text.matchAll(PEM_BLOCK)) {
    if (m[1] !== 'CERTIFICATE') throw new TrustStoreError(`${fileName}: holds a PEM "${m[1]}", not only certificates`);
    ders.push(Buffer.from(m[2]!.replace(/\s+/g, ''), 'base64'));
  }
  if (ders.length === 0) throw new TrustStoreError(`${fileName}: no PEM certificate found`);
  return ders;
}

export class MemoryTrustStores implements TrustStores {
  readonly #stores = new Map<string, X509Certificate[]>();
  /** SHA-256 of the DER of every certificate, per store, for byte-equality lookups. */
  readonly #digests = new Map<string, Set<string>>();

  static fromFiles(files: readonly TrustStoreFile[]): MemoryTrustStores {
    const stores = new MemoryTrustStores();
    for (const file of files) {
      for (const der of certificatesInFile(file.bytes, file.fileName)) {
        let parsed: ReturnType<typeof parseCertificate>;
        try {
          parsed = parseCertificate(der);
        } catch (cause) {
          throw new TrustStoreError(`${file.fileName}: ${(cause as Error).message}`, { cause });
        }
        if (!parsed.x509.ca && !isSelfSigned(parsed)) {
          throw new TrustStoreError(`${file.fileName}: "${parsed.x509.subject}" is neither a CA nor self-signed`);
        }
        stores.add(file.type, file.name, parsed.x509);
      }
    }
    return stores;
  }

  add(type: TrustStoreType, name: string, cert: X509Certificate): void {
    const key = `${type}:${name}`;
    const digest = createHash('sha256').update(cert.raw).digest('hex');
    const digests = this.#digests.get(key) ?? new Set<string>();
    if (digests.has(digest)) return;
    digests.add(digest);
    this.#digests.set(key, digests);
    this.#stores.set(key, [...(this.#stores.get(key) ?? []), cert]);
  }

  get(type: TrustStoreType, name: string): readonly X509Certificate[] | undefined {
    return this.#stores.get(`${type}:${name}`);
  }

  /** Every store as `type:name`, for validation and fingerprints. */
  names(): string[] {
    return [...this.#stores.keys()].sort();
  }
}

/** Stores layered: the first that has a store of that name answers (user folder, then built-in AWS roots). */
export class LayeredTrustStores implements TrustStores {
  constructor(private readonly layers: readonly TrustStores[]) {}
  get(type: TrustStoreType, name: string): readonly X509Certificate[] | undefined {
    for (const layer of this.layers) {
      const certs = layer.get(type, name);
      if (certs) return certs;
    }
    return undefined;
  }
}
