/** The parts of an AdmissionReview request that notary-gate uses, normalized across v1 and v1beta1. */
export interface AdmissionRequest {
  /** `admission.k8s.io/v1` or `admission.k8s.io/v1beta1`: the response uses the same. */
  readonly apiVersion: string;
  readonly uid: string;
  /** `version` is "" when the payload leaves it out; `kind` alone locates the pod spec. */
  readonly kind: { group: string; version: string; kind: string };
  /** Absent in captures from older clusters and tools; nothing decides on it. */
  readonly resource: { group: string; version: string; resource: string } | undefined;
  readonly subResource: string | undefined;
  readonly operation: 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';
  readonly namespace: string | undefined;
  readonly name: string | undefined;
  readonly userInfo: { username: string | undefined; groups: string[] };
  readonly dryRun: boolean;
  /** The object being admitted (absent on DELETE). */
  readonly object: unknown;
  /** The previous object on UPDATE; normalized to undefined when the payload carries null, {}, "" or a string. */
  readonly oldObject: unknown;
}

/** Where an image comes from: a container list, or an image volume (`volumes[].image`, Kubernetes ImageVolume). */
export type ContainerKind = 'container' | 'initContainer' | 'ephemeralContainer' | 'imageVolume';

/** One image the admitted object would run. */
export interface ContainerImage {
  /** The image string exactly as written. */
  readonly image: string;
  /** Field path, for messages: `spec.template.spec.initContainers[0].image`. */
  readonly path: string;
  /** The same location as an RFC 6901 JSON Pointer, for patches: `/spec/template/spec/initContainers/0/image`. */
  readonly pointer: string;
  /** The container's name, or the volume's for an image volume. */
  readonly containerName: string | undefined;
  readonly containerKind: ContainerKind;
  /** False on UPDATE when the same container slot had the same image in oldObject; true otherwise. */
  readonly changed: boolean;
}
