/**
 * Distinguished names as trusted identities use them (trust-store-trust-policy.md, "Trusted Identities"): an
 * RFC 4514 string is parsed to a map of attribute type -> value; multi-valued RDNs, repeated attribute types and
 * hex-encoded (`=#`) values are refused; `S` is an alias of `ST`; an identity must name C, ST and O. An identity
 * matches a leaf when its map is a subset of the leaf subject's map. Attribute types are case-insensitive
 * (RFC 4514 2.3), values are compared exactly.
 */
import { Buffer } from 'node:buffer';
import type { ParsedCertificate } from './parse';

export type DnMap = ReadonlyMap<string, string>;

export class DnError extends Error {}

const REQUIRED_IDENTITY_ATTRIBUTES = ['C', 'ST', 'O'] as const;
const ESCAPABLE = new Set([' ', '"', '#', '+', ',', ';', '<', '=', '>', '\\']);
const HEX = /^[0-9a-fA-F]{2}$/;

function normalizeType(type: string): string {
  const upper = type.trim().toUpperCase();
  return upper === 'S' ? 'ST' : upper;
}

function addAttribute(map: Map<string, string>, type: string, value: string, dn: string): void {
  const key = normalizeType(type);
  if (!key) throw new DnError(`distinguished name "${dn}" has an attribute without a type`);
  if (map.has(key)) throw new DnError(`distinguished name "${dn}" repeats attribute ${key}`);
  map.set(key, value);
}

/** Parses an RFC 4514 DN; throws DnError saying what is wrong. */
export function parseDn(dn: string): Map<string, string> {
  if (dn.includes('=#'))
    throw new DnError(`distinguished name "${dn}" uses a hex-encoded value, which is not supported`);
  const map = new Map<string, string>();
  let i = 0;
  while (i < dn.length) {
    const eq = dn.indexOf('=', i);
    if (eq < 0) throw new DnError(`distinguished name "${dn}" has an attribute without "="`);
    const type = dn.slice(i, eq);
    i = eq + 1;
    // Leading spaces of a value are not part of it unless escaped.
    while (dn[i] === ' ') i++;
    const bytes: number[] = [];
    let trailingSpaces = 0;
    let quoted = false;
    if (dn[i] === '"') {
      quoted = true;
      i++;
    }
    for (; i < dn.length; i++) {
      const ch = dn[i]!;
      if (quoted) {
        if (ch === '"') {
          quoted = false;
          i++;
          while (dn[i] === ' ') i++;
          break;
        }
      } else if (ch === ',' || ch === ';') {
        break;
      } else if (ch === '+') {
        throw new DnError(`distinguished name "${dn}" has a multi-valued RDN, which is not supported`);
      }
      if (ch === '\\') {
        const pair = dn.slice(i + 1, i + 3);
        if (HEX.test(pair)) {
          bytes.push(Number.parseInt(pair, 16));
          i += 2;
        } else if (ESCAPABLE.has(dn[i + 1] ?? '')) {
          bytes.push(dn.charCodeAt(i + 1));
          i += 1;
        } else {
          throw new DnError(`distinguished name "${dn}" has an invalid escape at position ${i}`);
        }
        trailingSpaces = 0;
        continue;
      }
      trailingSpaces = ch === ' ' && !quoted ? trailingSpaces + 1 : 0;
      bytes.push(...Buffer.from(ch, 'utf8'));
    }
    if (quoted) throw new DnError(`distinguished name "${dn}" has an unterminated quoted value`);
    const value = Buffer.from(bytes.slice(0, bytes.length - trailingSpaces)).toString('utf8');
    addAttribute(map, type, value, dn);
    if (i < dn.length) {
      if (dn[i] !== ',' && dn[i] !== ';') throw new DnError(`distinguished name "${dn}" has text after a quoted value`);
      i++;
      if (i >= dn.length) throw new DnError(`distinguished name "${dn}" ends with a separator`);
    }
  }
  if (map.size === 0) throw new DnError('distinguished name is empty');
  return map;
}

/** Parses a trusted identity's DN and applies the identity rules (C, ST and O present). */
export function parseIdentityDn(dn: string): Map<string, string> {
  const map = parseDn(dn);
  const missing = REQUIRED_IDENTITY_ATTRIBUTES.filter((t) => !map.has(t));
  if (missing.length > 0) {
    throw new DnError(`distinguished name "${dn}" must contain C, ST and O; it lacks ${missing.join(', ')}`);
  }
  return map;
}

/** The leaf subject as a map; undefined when it has multi-valued RDNs or repeated types (then nothing matches). */
export function subjectMap(cert: ParsedCertificate): DnMap | undefined {
  const map = new Map<string, string>();
  for (const rdn of cert.subjectRdns) {
    if (rdn.length !== 1) return undefined;
    const key = normalizeType(rdn[0]!.type);
    if (map.has(key)) return undefined;
    map.set(key, rdn[0]!.value);
  }
  return map;
}

/** Whether every attribute of `subset` is in `of` with the same value. */
export function isDnSubset(subset: DnMap, of: DnMap): boolean {
  for (const [type, value] of subset) if (of.get(type) !== value) return false;
  return true;
}
