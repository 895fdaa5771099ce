import { extractImages, extractImagesFromObject } from '../../../shared/admission/extract';
import { toJsonPointer } from '../../../shared/admission/field-path';
import { parseAdmissionReview } from '../../../shared/admission/parse';
import type { ContainerImage } from '../../../shared/admission/types';
import { loadReview } from './fixtures';

type Row = [path: string, image: string, changed?: boolean];

const FLUENT_BIT =
  'docker.io/fluent/fluent-bit:2.2.2@sha256:4a8e3bb2d4cd8b4e6f4d4a6f0c3c1c6a9f14d2b3e8f1a7c5d9e0b2a4c6d8e0f1';
const POD_IMAGES: Row[] = [
  ['spec.containers[0].image', 'nginx:1.25.3'],
  ['spec.containers[1].image', FLUENT_BIT],
  ['spec.initContainers[0].image', 'busybox:1.36'],
];

/** Every fixture and exactly the images admission checks, in order: containers, init, ephemeral. */
const EXPECTED: Record<string, Row[]> = {
  'pod-create': POD_IMAGES,
  'pod-create-v1beta1': POD_IMAGES,
  'deployment-create': [
    ['spec.template.spec.containers[0].image', 'ghcr.io/acme/api:1.5.0'],
    ['spec.template.spec.containers[1].image', 'envoyproxy/envoy:v1.29.1'],
    ['spec.template.spec.initContainers[0].image', 'ghcr.io/acme/api:1.5.0'],
  ],
  'replicaset-create': [
    ['spec.template.spec.containers[0].image', 'us-docker.pkg.dev/google-samples/containers/gke/gb-frontend:v5'],
  ],
  'statefulset-create': [
    ['spec.template.spec.containers[0].image', 'postgres:16.2-alpine'],
    ['spec.template.spec.containers[1].image', 'quay.io/prometheuscommunity/postgres-exporter:v0.15.0'],
    ['spec.template.spec.initContainers[0].image', 'busybox:1.36'],
  ],
  'daemonset-create': [['spec.template.spec.containers[0].image', 'quay.io/prometheus/node-exporter:v1.7.0']],
  'job-create': [['spec.template.spec.containers[0].image', 'perl:5.38']],
  'cronjob-create': [
    ['spec.jobTemplate.spec.template.spec.containers[0].image', 'registry.example.com:5000/ops/pg-backup:2024.03'],
    ['spec.jobTemplate.spec.template.spec.initContainers[0].image', 'alpine:3.19'],
  ],
  'replicationcontroller-create': [
    [
      'spec.template.spec.containers[0].image',
      'nginx@sha256:0d17b565c37bcbd895e9d92315a05c1c3c9a29f762b011a10c54a66cd53c9b31',
    ],
  ],
  'podtemplate-create': [['template.spec.containers[0].image', '[::1]:5000/team/worker:v2']],
  'rollout-create': [['spec.template.spec.containers[0].image', 'ghcr.io/acme/checkout:3.1.0']],
  // spec.workloadRef borrows a Deployment's template: the Rollout itself runs no image.
  'rollout-workloadref-create': [],
  'pod-imagevolume-create': [
    ['spec.containers[0].image', 'debian:bookworm-slim'],
    ['spec.volumes[0].image.reference', 'quay.io/crio/artifact:v2'],
    [
      'spec.volumes[2].image.reference',
      'registry.example.com/team/tools@sha256:9f2c1d4e5b6a7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d',
    ],
  ],
  'pod-delete': [],
  'deployment-update': [
    ['spec.template.spec.containers[0].image', 'ghcr.io/acme/api:1.5.0', true],
    ['spec.template.spec.containers[1].image', 'envoyproxy/envoy:v1.29.1', false],
    ['spec.template.spec.initContainers[0].image', 'ghcr.io/acme/api:1.5.0', true],
  ],
  'pod-ephemeralcontainers-update': [
    ['spec.containers[0].image', 'nginx:1.25.3', false],
    ['spec.containers[1].image', FLUENT_BIT, false],
    ['spec.initContainers[0].image', 'busybox:1.36', false],
    ['spec.ephemeralContainers[0].image', 'busybox:1.36', true],
  ],
};
for (const variant of ['null', 'empty', 'empty-string', 'string']) {
  EXPECTED[`deployment-update-oldobject-${variant}`] = (EXPECTED['deployment-update'] ?? []).map(([path, image]) => [
    path,
    image,
    true,
  ]);
}

function rows(images: ContainerImage[]): Row[] {
  return images.map((image) => [image.path, image.image, image.changed]);
}

describe('extractImages', () => {
  describe('for each fixture AdmissionReview', () => {
    it.each(Object.entries(EXPECTED))('lists the images of %s in order', (fixture, expected) => {
      const images = extractImages(parseAdmissionReview(loadReview(fixture)));
      expect(rows(images)).toEqual(expected.map(([path, image, changed]) => [path, image, changed ?? true]));
    });
  });

  it('keeps each location as a JSON Pointer beside the display path', () => {
    const images = extractImages(parseAdmissionReview(loadReview('cronjob-create')));
    expect(images.map((image) => image.pointer)).toEqual([
      '/spec/jobTemplate/spec/template/spec/containers/0/image',
      '/spec/jobTemplate/spec/template/spec/initContainers/0/image',
    ]);
    const legacy = { kind: 'EphemeralContainers', ephemeralContainers: [{ name: 'debug', image: 'busybox' }] };
    expect(extractImagesFromObject(legacy)[0]?.pointer).toBe('/ephemeralContainers/0/image');
  });

  it.each(Object.keys(EXPECTED))('gives every image of %s a pointer that names its image field', (fixture) => {
    const review = loadReview(fixture);
    for (const image of extractImages(parseAdmissionReview(review))) {
      const keys = image.pointer.split('/').slice(1);
      const value = keys.reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], review.request.object);
      expect(value).toBe(image.image);
    }
  });

  it('reports container names and kinds', () => {
    const images = extractImages(parseAdmissionReview(loadReview('pod-ephemeralcontainers-update')));
    expect(images.map((image) => [image.containerName, image.containerKind])).toEqual([
      ['nginx', 'container'],
      ['log-shipper', 'container'],
      ['wait-for-db', 'initContainer'],
      ['debugger-7xk2p', 'ephemeralContainer'],
    ]);
  });

  describe('when the object carries images outside its pod spec', () => {
    it('ignores the last-applied-configuration annotation', () => {
      const review = loadReview('deployment-update');
      const annotations = (review.request.object as { metadata: { annotations: Record<string, string> } }).metadata
        .annotations;
      expect(annotations['kubectl.kubernetes.io/last-applied-configuration']).toContain('evil.example.com');
      const images = extractImages(parseAdmissionReview(review)).map((image) => image.image);
      expect(images.join()).not.toContain('evil.example.com');
    });

    it("ignores the pod's status", () => {
      const images = extractImages(parseAdmissionReview(loadReview('pod-ephemeralcontainers-update')));
      expect(images.map((image) => image.image)).not.toContain('docker.io/library/nginx:1.25.3');
    });

    it('never lists images that are only in oldObject', () => {
      const images = extractImages(parseAdmissionReview(loadReview('deployment-update')));
      expect(images.map((image) => image.image)).not.toContain('ghcr.io/acme/api:1.4.0');
    });
  });

  describe('on UPDATE', () => {
    function update(oldImage: string, oldName: string, oldList = 'containers') {
      const review = loadReview('pod-ephemeralcontainers-update');
      const request = review.request as {
        subResource?: string;
        object: { spec: unknown };
        oldObject: { spec: unknown };
      };
      delete request.subResource;
      request.object.spec = { containers: [{ name: 'app', image: 'nginx:1.25.3' }] };
      request.oldObject.spec = { [oldList]: [{ name: oldName, image: oldImage }] };
      return extractImages(parseAdmissionReview(review))[0]?.changed;
    }

    it('counts an image as unchanged only for the same container name, kind and image string', () => {
      expect(update('nginx:1.25.3', 'app')).toBe(false);
    });

    it('counts a renamed container as changed', () => {
      expect(update('nginx:1.25.3', 'web')).toBe(true);
    });

    it('counts the same image moved from an init container as changed', () => {
      expect(update('nginx:1.25.3', 'app', 'initContainers')).toBe(true);
    });

    it('compares image strings exactly, not normalized', () => {
      expect(update('docker.io/library/nginx:1.25.3', 'app')).toBe(true);
    });
  });

  describe('Argo Rollouts (argoproj.io Rollout)', () => {
    const rollout = () => loadReview('rollout-create');

    it('reads spec.template.spec even when the object also has a container list at spec', () => {
      const review = rollout();
      (review.request.object as { spec: Record<string, unknown> }).spec.containers = [];
      const images = extractImages(parseAdmissionReview(review));
      expect(rows(images)).toEqual([['spec.template.spec.containers[0].image', 'ghcr.io/acme/checkout:3.1.0', true]]);
    });

    it('probes a kind named Rollout of another API group like any unknown kind', () => {
      const review = rollout();
      (review.request.kind as { group: string }).group = 'rollouts.example.com';
      const spec = (review.request.object as { spec: Record<string, unknown> }).spec;
      spec.containers = [{ name: 'first', image: 'busybox:1.36' }];
      expect(extractImages(parseAdmissionReview(review)).map((image) => image.path)).toEqual([
        'spec.containers[0].image',
      ]);
    });

    it('has no images with spec.workloadRef, and the template of the Deployment it names is not read', () => {
      const review = loadReview('rollout-workloadref-create');
      const spec = (review.request.object as { spec: Record<string, unknown> }).spec;
      expect(spec.workloadRef).toMatchObject({ kind: 'Deployment', name: 'checkout' });
      expect(extractImages(parseAdmissionReview(review))).toEqual([]);
    });

    it('is read from a manifest by its apiVersion group', () => {
      const object = rollout().request.object as Record<string, unknown>;
      (object.spec as Record<string, unknown>).containers = [];
      expect(extractImagesFromObject(object).map((image) => image.path)).toEqual([
        'spec.template.spec.containers[0].image',
      ]);
      expect(extractImagesFromObject({ ...object, apiVersion: 'v1' }).map((image) => image.path)).toEqual([]);
    });

    it('compares the template images with oldObject on UPDATE', () => {
      const review = rollout();
      review.request.operation = 'UPDATE';
      review.request.oldObject = JSON.parse(JSON.stringify(review.request.object));
      expect(extractImages(parseAdmissionReview(review)).map((image) => image.changed)).toEqual([false]);
    });
  });

  it('lists nothing for CONNECT', () => {
    const review = loadReview('pod-create');
    review.request.operation = 'CONNECT';
    expect(extractImages(parseAdmissionReview(review))).toEqual([]);
  });
});

describe('image volumes (spec.volumes[].image.reference)', () => {
  /** Where each fixture kind keeps its pod spec, as a path of keys. */
  const POD_SPEC_OF: Record<string, string[]> = {
    'pod-create': ['spec'],
    'deployment-create': ['spec', 'template', 'spec'],
    'replicaset-create': ['spec', 'template', 'spec'],
    'statefulset-create': ['spec', 'template', 'spec'],
    'daemonset-create': ['spec', 'template', 'spec'],
    'job-create': ['spec', 'template', 'spec'],
    'replicationcontroller-create': ['spec', 'template', 'spec'],
    'cronjob-create': ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
    'podtemplate-create': ['template', 'spec'],
    'rollout-create': ['spec', 'template', 'spec'],
  };

  it.each(Object.entries(POD_SPEC_OF))('are listed after the containers in %s, with their field path', (name, at) => {
    const review = loadReview(name);
    let spec = review.request.object as Record<string, unknown>;
    for (const key of at) spec = spec[key] as Record<string, unknown>;
    spec.volumes = [
      { name: 'cache', emptyDir: {} },
      { name: 'model', image: { reference: 'registry.example.com/ml/model:v3', pullPolicy: 'IfNotPresent' } },
    ];
    const images = extractImages(parseAdmissionReview(review));
    expect(images.at(-1)).toEqual({
      image: 'registry.example.com/ml/model:v3',
      path: `${at.join('.')}.volumes[1].image.reference`,
      pointer: `/${at.join('/')}/volumes/1/image/reference`,
      containerName: 'model',
      containerKind: 'imageVolume',
      changed: true,
    });
    expect(images.filter((image) => image.containerKind === 'imageVolume')).toHaveLength(1);
  });

  it('keeps an image volume without a string reference as an empty string, so it is refused', () => {
    const pod = {
      kind: 'Pod',
      spec: {
        containers: [],
        volumes: [
          { name: 'a', image: {} },
          { name: 'b', image: 7 },
        ],
      },
    };
    expect(extractImagesFromObject(pod).map((image) => [image.image, image.containerName])).toEqual([
      ['', 'a'],
      ['', 'b'],
    ]);
  });

  it('ignores volumes of other types and an image field that is null', () => {
    const pod = {
      kind: 'Pod',
      spec: { containers: [], volumes: [{ name: 'a', configMap: { name: 'x' } }, { name: 'b', image: null }, 'junk'] },
    };
    expect(extractImagesFromObject(pod)).toEqual([]);
  });

  it('counts an image volume unchanged on UPDATE only for the same volume name and reference', () => {
    const review = loadReview('pod-ephemeralcontainers-update');
    const request = review.request as { subResource?: string; object: { spec: unknown }; oldObject: { spec: unknown } };
    delete request.subResource;
    const volume = (name: string, reference: string) => ({ name, image: { reference } });
    request.object.spec = { containers: [], volumes: [volume('m', 'a:1'), volume('n', 'b:1'), volume('o', 'c:2')] };
    // `n` was a container with the same image and `o` had another reference: both changed.
    request.oldObject.spec = {
      containers: [{ name: 'n', image: 'b:1' }],
      volumes: [volume('m', 'a:1'), volume('o', 'c:1')],
    };
    expect(extractImages(parseAdmissionReview(review)).map((image) => image.changed)).toEqual([false, true, true]);
  });
});

describe('extractImagesFromObject', () => {
  it('finds the pod spec by the object kind', () => {
    const object = loadReview('cronjob-create').request.object;
    expect(extractImagesFromObject(object).map((image) => image.image)).toEqual([
      'registry.example.com:5000/ops/pg-backup:2024.03',
      'alpine:3.19',
    ]);
  });

  it('keeps a container without an image as an empty string, so it is refused', () => {
    const images = extractImagesFromObject({ kind: 'Pod', spec: { containers: [{ name: 'x' }, 'junk'] } });
    expect(images.map((image) => [image.image, image.containerName])).toEqual([
      ['', 'x'],
      ['', undefined],
    ]);
  });

  it('probes the known pod spec locations for unknown kinds, in order', () => {
    const knative = { kind: 'Service', spec: { template: { spec: { containers: [{ name: 'user', image: 'a:1' }] } } } };
    expect(extractImagesFromObject(knative).map((image) => image.path)).toEqual([
      'spec.template.spec.containers[0].image',
    ]);
  });

  it('does not search deeper than the known locations', () => {
    const hidden = { kind: 'Custom', spec: { deep: { template: { spec: { containers: [{ image: 'a:1' }] } } } } };
    expect(extractImagesFromObject(hidden)).toEqual([]);
  });

  it('reads nothing from a known kind whose pod spec is elsewhere', () => {
    const odd = { kind: 'Deployment', spec: { containers: [{ name: 'x', image: 'a:1' }] } };
    expect(extractImagesFromObject(odd)).toEqual([]);
  });

  it('reads the legacy EphemeralContainers object', () => {
    const legacy = { kind: 'EphemeralContainers', ephemeralContainers: [{ name: 'debug', image: 'busybox' }] };
    expect(extractImagesFromObject(legacy).map((image) => [image.path, image.containerKind])).toEqual([
      ['ephemeralContainers[0].image', 'ephemeralContainer'],
    ]);
  });

  it.each([[null], [undefined], ['pod'], [[]], [{}]])('lists nothing for %j', (object) => {
    expect(extractImagesFromObject(object)).toEqual([]);
  });
});

describe('toJsonPointer (RFC 6901)', () => {
  it.each([
    [['spec', 'containers', 0, 'image'], '/spec/containers/0/image'],
    [['a/b', 'm~n', '~1', ''], '/a~1b/m~0n/~01/'],
    [[], ''],
  ])('writes %j as %j', (keys, pointer) => {
    expect(toJsonPointer(keys)).toBe(pointer);
  });
});
