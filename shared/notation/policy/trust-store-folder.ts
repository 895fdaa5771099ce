/**
 * Reads a Notation trust store folder (the layout `notation cert add` writes):
 * `<root>/x509/{ca,signingAuthority,tsa}/<name>/*.{crt,pem,cer}`. Files with other extensions are ignored, as
 * are other folders; a store folder without a certificate file is an error (an empty store can only deny).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { TrustStoreType } from '../types';
import { TrustStoreError, type TrustStoreFile } from './trust-store';

const TYPES: readonly TrustStoreType[] = ['ca', 'signingAuthority', 'tsa'];
const CERT_FILE = /\.(crt|pem|cer)$/i;
/** No certificate file is anywhere near this; a bigger one is a mistake (or not a certificate). */
export const MAX_TRUST_STORE_FILE_BYTES = 1024 * 1024;

const isDir = (path: string) => statSync(path, { throwIfNoEntry: false })?.isDirectory() === true;

export function readTrustStoreFolder(root: string): TrustStoreFile[] {
  const x509 = join(root, 'x509');
  if (!isDir(x509)) throw new TrustStoreError(`trust store folder ${root} has no x509/ folder`);
  const files: TrustStoreFile[] = [];
  for (const type of TYPES) {
    const typeDir = join(x509, type);
    if (!isDir(typeDir)) continue;
    for (const name of readdirSync(typeDir).sort()) {
      const storeDir = join(typeDir, name);
      if (!isDir(storeDir)) continue;
      const certFiles = readdirSync(storeDir)
        .filter((f) => CERT_FILE.test(f))
        .sort();
      if (certFiles.length === 0)
        throw new TrustStoreError(`trust store ${type}:${name} (${storeDir}) has no .crt, .pem or .cer file`);
      for (const file of certFiles) {
        const path = join(storeDir, file);
        if (statSync(path).size > MAX_TRUST_STORE_FILE_BYTES) throw new TrustStoreError(`${path} is larger than 1 MiB`);
        files.push({ type, name, fileName: path, bytes: readFileSync(path) });
      }
    }
  }
  return files;
}
