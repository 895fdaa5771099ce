import { type Document, parseAllDocuments } from 'yaml';
import { extractImages, extractImagesFromObject } from '../admission/extract';
import { imagesFromManifests, MAX_ALIAS_COUNT } from '../admission/manifests';
import { parseAdmissionReview } from '../admission/parse';
import type { ContainerImage } from '../admission/types';
import type { CheckContext } from '../decision/types';
import type { DigestPinner, PinOutcome } from './pinner';

/**
 * `check -f FILE --pin`: the manifests of a file with their tag-only images pinned as `/mutate` would pin them, for a
 * pre-commit hook or a CI step that writes the pins into Git. YAML is edited in place through the yaml library's
 * document model, so comments, key order, quoting and the other documents stay as written (the library may still
 * re-indent or re-flow what it prints); a file that is one JSON document is printed as JSON.
 */

type Key = string | number;

interface Located {
  readonly image: ContainerImage;
  readonly document: number;
  readonly keys: readonly Key[];
}

export interface PinnedManifests extends PinOutcome {
  /** The file with the pins written in. */
  readonly text: string;
}

export async function pinManifests(text: string, pinner: DigestPinner, ctx: CheckContext): Promise<PinnedManifests> {
  // Validates the whole file first, with the messages `images` and `check -f` give (document numbers and all).
  imagesFromManifests(text);
  const documents = parseAllDocuments(text, { prettyErrors: false }) as Document[];
  const located = documents.flatMap((document, index) => locate(document, index));
  const byPointer = new Map<string, Located>();
  const images = located.map((entry) => {
    const pointer = `${entry.document}#${entry.image.pointer}`;
    byPointer.set(pointer, entry);
    return { ...entry.image, pointer, path: `document ${entry.document + 1}: ${entry.image.path}` };
  });
  const outcome = await pinner.pin(images, ctx);
  for (const pin of outcome.pins) {
    const entry = byPointer.get(pin.pointer)!;
    documents[entry.document]!.setIn(entry.keys, pin.pinned);
  }
  const json = documents.length === 1 && /^\s*[[{]/.test(text);
  const written = json
    ? `${JSON.stringify(documents[0]!.toJS({ maxAliasCount: MAX_ALIAS_COUNT }), null, 2)}\n`
    : documents.map((document) => document.toString({ lineWidth: 0 })).join('');
  return { ...outcome, text: written };
}

/** The images of one document, each with the keys of its field from the document's root. */
function locate(document: Document, index: number): Located[] {
  const value: unknown = document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  if (!isObject(value) || typeof value.kind !== 'string') return [];
  const at = (prefix: readonly Key[], images: ContainerImage[]) =>
    images.map((image) => ({ image, document: index, keys: [...prefix, ...keysOf(image.pointer)] }));
  if (value.kind === 'AdmissionReview') {
    // Only the object is pinned, as /mutate pins it; oldObject stays as it was.
    return at(['request', 'object'], extractImages({ ...parseAdmissionReview(value), oldObject: undefined }));
  }
  if (value.kind.endsWith('List') && Array.isArray(value.items)) {
    const itemKind = value.kind === 'List' ? undefined : value.kind.slice(0, -'List'.length);
    return value.items.flatMap((item: unknown, position) => {
      const object = isObject(item) && typeof item.kind !== 'string' && itemKind ? { ...item, kind: itemKind } : item;
      return at(['items', position], extractImagesFromObject(object));
    });
  }
  return at([], extractImagesFromObject(value));
}

/** The keys of an RFC 6901 pointer (`~1` is `/`, `~0` is `~`), list indexes as numbers for the yaml library. */
export function keysOf(pointer: string): Key[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'))
    .map((part) => (/^(0|[1-9]\d*)$/.test(part) ? Number(part) : part));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
