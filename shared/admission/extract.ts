import { formatPath, toJsonPointer } from './field-path';
import type { AdmissionRequest, ContainerImage, ContainerKind } from './types';

/**
 * The images an admitted object would run, read only from its pod spec: `containers`, then `initContainers`, then
 * `ephemeralContainers`, then image volumes (`volumes[].image.reference`, Kubernetes ImageVolume: the kubelet pulls
 * that image and containers can execute what it mounts), each with its field path. Annotations (e.g. last-applied-configuration), `status` and
 * `oldObject` are never read for images; oldObject only tells which images are unchanged on UPDATE.
 *
 * Where the pod spec is, by kind:
 *   Pod                                                       spec
 *   Deployment, ReplicaSet, StatefulSet, DaemonSet, Job,
 *   ReplicationController                                     spec.template.spec
 *   CronJob                                                   spec.jobTemplate.spec.template.spec
 *   PodTemplate                                               template.spec
 *   Rollout (argoproj.io, Argo Rollouts)                      spec.template.spec
 * A Rollout with `spec.workloadRef` (it borrows the template of a Deployment) has no pod spec of its own: it runs
 * no image itself, so it has none to check; the referenced Deployment and the ReplicaSets the Rollout controller
 * makes from its template are admitted, and checked, as objects of their own.
 * Any other kind (a CRD such as a Knative Service) is probed at those same locations in that order, and the first one
 * holding a container list is used; there is no blind deep search.
 */

type Json = Record<string, unknown>;

const POD_SPEC_PATHS: Readonly<Record<string, readonly string[]>> = {
  Pod: ['spec'],
  Deployment: ['spec', 'template', 'spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  ReplicationController: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
  PodTemplate: ['template', 'spec'],
};

/**
 * Custom resources with a known pod spec, by API group then kind: a known location is never probed, so a Rollout
 * with a (pruned or hostile) `spec.containers: []` cannot hide its `spec.template` from the check.
 */
const GROUP_POD_SPEC_PATHS: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>> = {
  'argoproj.io': { Rollout: ['spec', 'template', 'spec'] },
};

/** Probed in order for kinds not in the tables. */
const CANDIDATE_POD_SPEC_PATHS: readonly (readonly string[])[] = [
  ['spec'],
  ['spec', 'template', 'spec'],
  ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
  ['template', 'spec'],
];

const CONTAINER_LISTS: readonly { field: string; kind: ContainerKind }[] = [
  { field: 'containers', kind: 'container' },
  { field: 'initContainers', kind: 'initContainer' },
  { field: 'ephemeralContainers', kind: 'ephemeralContainer' },
];

/**
 * Images of the object of an admission request. DELETE and CONNECT admit nothing new: []. On UPDATE, an image is
 * `changed: false` only when oldObject had a container (or image volume) of the same kind and the same
 * name with exactly the same image string; anything else (new container, renamed, different string, no oldObject)
 * counts as changed, so that skipping unchanged images can only ever skip a check that already passed.
 */
export function extractImages(request: AdmissionRequest): ContainerImage[] {
  if (request.operation === 'DELETE' || request.operation === 'CONNECT') return [];
  const kind = { kind: request.kind.kind, group: request.kind.group };
  const images = imagesOf(request.object, kind);
  if (request.operation !== 'UPDATE' || request.oldObject === undefined) return images;

  const previous = new Set(
    imagesOf(request.oldObject, kind)
      .filter((old) => old.containerName !== undefined)
      .map((old) => slotKey(old)),
  );
  return images.map((image) =>
    image.containerName !== undefined && previous.has(slotKey(image)) ? { ...image, changed: false } : image,
  );
}

/** Images of one object as written in a manifest (kind from its own `kind` field); all count as changed. */
export function extractImagesFromObject(object: unknown): ContainerImage[] {
  if (!isObject(object)) return [];
  const kind = typeof object.kind === 'string' ? object.kind : undefined;
  // `apiVersion: argoproj.io/v1alpha1` is group argoproj.io; `v1` (no slash) is the core group "".
  const apiVersion = typeof object.apiVersion === 'string' ? object.apiVersion : '';
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  return imagesOf(object, { kind, group });
}

/** An object's kind and API group, as the AdmissionRequest's `kind` or a manifest's `kind` and `apiVersion` say. */
interface ObjectKind {
  readonly kind: string | undefined;
  readonly group: string;
}

function imagesOf(object: unknown, kind: ObjectKind): ContainerImage[] {
  if (!isObject(object)) return [];
  const located = locatePodSpec(object, kind);
  if (!located) return [];
  const images: ContainerImage[] = [];
  // Both names of one location: the display path for messages, the JSON Pointer for patches.
  const at = (...keys: (string | number)[]) => {
    const path = [...located.path, ...keys];
    return { path: formatPath(path), pointer: toJsonPointer(path) };
  };
  for (const list of CONTAINER_LISTS) {
    const containers = located.spec[list.field];
    if (!Array.isArray(containers)) continue;
    containers.forEach((container: unknown, index) => {
      const fields = isObject(container) ? container : {};
      images.push({
        // A missing or non-string image is kept as "" so that it is refused as an invalid reference (fail closed).
        image: typeof fields.image === 'string' ? fields.image : '',
        ...at(list.field, index, 'image'),
        containerName: typeof fields.name === 'string' ? fields.name : undefined,
        containerKind: list.kind,
        changed: true,
      });
    });
  }
  const volumes = located.spec.volumes;
  if (Array.isArray(volumes)) {
    volumes.forEach((volume: unknown, index) => {
      // Only volumes of the image type: any other volume source (configMap, emptyDir…) pulls nothing.
      if (!isObject(volume) || !Object.hasOwn(volume, 'image') || volume.image === null) return;
      const source = isObject(volume.image) ? volume.image : {};
      images.push({
        // As for containers: an image volume without a string reference is refused, never skipped.
        image: typeof source.reference === 'string' ? source.reference : '',
        ...at('volumes', index, 'image', 'reference'),
        containerName: typeof volume.name === 'string' ? volume.name : undefined,
        containerKind: 'imageVolume',
        changed: true,
      });
    });
  }
  return images;
}

function locatePodSpec(object: Json, of: ObjectKind): { spec: Json; path: readonly string[] } | undefined {
  const kind = of.kind;
  const known = kind === undefined ? undefined : knownPodSpecPath(of.group, kind);
  // Legacy `pods/ephemeralcontainers` (Kubernetes 1.16-1.22) sent an EphemeralContainers object with the list at
  // the top level; since 1.23 the subresource carries the whole Pod.
  if (kind === 'EphemeralContainers') return { spec: object, path: [] };
  for (const path of known ? [known] : CANDIDATE_POD_SPEC_PATHS) {
    const spec = dig(object, path);
    if (spec && (known || CONTAINER_LISTS.some((list) => Array.isArray(spec[list.field])))) return { spec, path };
  }
  return undefined;
}

function knownPodSpecPath(group: string, kind: string): readonly string[] | undefined {
  // Own keys only: a kind such as `constructor` must not find Object.prototype's members in the tables.
  const ofGroup = Object.hasOwn(GROUP_POD_SPEC_PATHS, group) ? GROUP_POD_SPEC_PATHS[group] : undefined;
  if (ofGroup && Object.hasOwn(ofGroup, kind)) return ofGroup[kind];
  return Object.hasOwn(POD_SPEC_PATHS, kind) ? POD_SPEC_PATHS[kind] : undefined;
}

function dig(object: Json, path: readonly string[]): Json | undefined {
  let current: unknown = object;
  for (const key of path) {
    if (!isObject(current)) return undefined;
    current = current[key];
  }
  return isObject(current) ? current : undefined;
}

function slotKey(image: ContainerImage): string {
  return JSON.stringify([image.containerKind, image.containerName, image.image]);
}

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
