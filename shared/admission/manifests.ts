import { parseAllDocuments } from 'yaml';
import { InvalidAdmissionReviewError, InvalidInputError } from '../errors';
import { extractImages, extractImagesFromObject } from './extract';
import { parseAdmissionReview } from './parse';
import type { ContainerImage } from './types';

/**
 * Kubernetes objects from a file as people have them: YAML or JSON, several documents separated by `---`, `kind: List`
 * (or any `*List` with `items`, as `kubectl get -o yaml` prints) flattened to its items, and an AdmissionReview read
 * as the object it admits (nothing for a DELETE). Empty documents are skipped. Errors name the document number.
 */

/** Alias expansion is bounded so that a small file cannot expand into a huge one ("billion laughs"). */
export const MAX_ALIAS_COUNT = 100;

export function readManifests(text: string): unknown[] {
  return readDocuments(text).flatMap(({ value, number }) => objectsOf(value, number));
}

/**
 * The images admission would check in a file, in order: an AdmissionReview goes through the same extraction as the
 * webhook (its request's kind and operation, `changed` from oldObject), any other object through its own kind.
 */
export function imagesFromManifests(text: string): ContainerImage[] {
  return readDocuments(text).flatMap(({ value, number }) => {
    if (isObject(value) && value.kind === 'AdmissionReview') {
      return extractImages(asInputError(number, () => parseAdmissionReview(value)));
    }
    return objectsOf(value, number).flatMap((object) => extractImagesFromObject(object));
  });
}

/** The non-empty documents of a YAML/JSON stream, numbered from 1 as a person counts them. */
function readDocuments(text: string): { value: unknown; number: number }[] {
  const documents: { value: unknown; number: number }[] = [];
  parseAllDocuments(text, { prettyErrors: false }).forEach((document, index) => {
    const number = index + 1;
    const error = document.errors[0];
    if (error) {
      throw new InvalidInputError(`document ${number}: not valid YAML or JSON: ${error.message.split('\n')[0]}`);
    }
    let value: unknown;
    try {
      value = document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (cause) {
      throw new InvalidInputError(`document ${number}: ${(cause as Error).message}`, { cause });
    }
    if (value !== null && value !== undefined) documents.push({ value, number });
  });
  return documents;
}

function objectsOf(value: unknown, number: number): unknown[] {
  if (!isObject(value) || typeof value.kind !== 'string') {
    throw new InvalidInputError(`document ${number} is not a Kubernetes object (a mapping with a kind)`);
  }
  if (value.kind === 'AdmissionReview') {
    const object = asInputError(number, () => parseAdmissionReview(value)).object;
    return object === undefined ? [] : [object];
  }
  if (value.kind.endsWith('List') && 'items' in value) {
    if (!Array.isArray(value.items))
      throw new InvalidInputError(`document ${number}: items of a ${value.kind} must be a list`);
    // Typed lists from the API (PodList) leave `kind` out of their items; a plain `List` must name it per item.
    const itemKind = value.kind === 'List' ? undefined : value.kind.slice(0, -'List'.length);
    return value.items.map((item: unknown, position) => {
      if (isObject(item) && typeof item.kind === 'string') return item;
      if (isObject(item) && itemKind) return { ...item, kind: itemKind };
      throw new InvalidInputError(`document ${number}: items[${position}] is not a Kubernetes object (no kind)`);
    });
  }
  return [value];
}

function asInputError<T>(number: number, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof InvalidAdmissionReviewError) {
      throw new InvalidInputError(`document ${number}: ${error.message}`, { cause: error });
    }
    throw error;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
