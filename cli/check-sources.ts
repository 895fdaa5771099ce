import type { ContainerImage } from '../shared/admission/types';

/** The object of a manifest an image came from: `{kind, namespace, name}` (contract: `check -f`). */
export interface ObjectRef {
  readonly kind: string;
  readonly namespace: string | null;
  readonly name: string | null;
}

/** One image to report: from the command line (no object, no path) or from an object of a manifest. */
export interface ImageSource {
  readonly image: string;
  readonly object?: ObjectRef;
  readonly path?: string;
}

/**
 * Every image of every object in a manifests file, with the object it came from and its field path: the same
 * image in two objects is two sources (it is verified once). An AdmissionReview contributes the object it admits.
 */
export async function sourcesFromManifests(text: string): Promise<ImageSource[]> {
  const [{ readManifests }, { extractImagesFromObject }] = await Promise.all([
    import('../shared/admission/manifests'),
    import('../shared/admission/extract'),
  ]);
  return readManifests(text).flatMap((object) =>
    extractImagesFromObject(object).map((found: ContainerImage) => ({
      image: found.image,
      object: objectRef(object),
      path: found.path,
    })),
  );
}

function objectRef(object: unknown): ObjectRef {
  const value = object as {
    kind?: unknown;
    metadata?: { namespace?: unknown; name?: unknown; generateName?: unknown };
  };
  const text = (field: unknown) => (typeof field === 'string' && field !== '' ? field : null);
  return {
    kind: text(value.kind) ?? 'Unknown',
    namespace: text(value.metadata?.namespace),
    name: text(value.metadata?.name) ?? text(value.metadata?.generateName),
  };
}

/** `Deployment shop/web`, `Pod web` (no namespace), `Job (unnamed)`. */
export function describeObject(object: ObjectRef): string {
  const name = object.name ?? '(unnamed)';
  return `${object.kind} ${object.namespace ? `${object.namespace}/` : ''}${name}`;
}
