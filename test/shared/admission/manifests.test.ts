import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { extractImagesFromObject } from '../../../shared/admission/extract';
import { readManifests } from '../../../shared/admission/manifests';
import { InvalidInputError } from '../../../shared/errors';
import { ADMISSION_FIXTURES } from './fixtures';

const MANIFESTS = join(__dirname, '..', '..', 'fixtures', 'manifests');
const read = (dir: string, name: string) => readFileSync(join(dir, name), 'utf8');

function imagesIn(text: string): string[] {
  return readManifests(text).flatMap((object) => extractImagesFromObject(object).map((image) => image.image));
}

function refusal(text: string): string {
  try {
    readManifests(text);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    return (error as Error).message;
  }
  throw new Error('expected the input to be refused');
}

describe('readManifests', () => {
  it('reads every document of a multi-document YAML file, skipping empty ones', () => {
    const objects = readManifests(read(MANIFESTS, 'app.yaml')) as { kind: string }[];
    expect(objects.map((object) => object.kind)).toEqual(['Service', 'Deployment', 'CronJob']);
    expect(imagesIn(read(MANIFESTS, 'app.yaml'))).toEqual([
      'ghcr.io/acme/api:1.5.0',
      'envoyproxy/envoy:v1.29.1',
      'ghcr.io/acme/api:1.5.0',
      'registry.example.com:5000/ops/report@sha256:0d17b565c37bcbd895e9d92315a05c1c3c9a29f762b011a10c54a66cd53c9b31',
    ]);
  });

  it('flattens a List into its items', () => {
    expect(imagesIn(read(MANIFESTS, 'list.yaml'))).toEqual(['alpine:3.19', 'busybox:1.36', 'quay.io/acme/worker:2.0']);
  });

  it('gives the items of a typed JSON list (PodList) their kind', () => {
    expect(imagesIn(read(MANIFESTS, 'podlist.json'))).toEqual(['nginx:1.25.3', 'nginx:1.25.2']);
  });

  it('reads an AdmissionReview as the object it admits', () => {
    const objects = readManifests(read(ADMISSION_FIXTURES, 'deployment-update.json')) as { kind: string }[];
    expect(objects).toHaveLength(1);
    expect(objects[0]?.kind).toBe('Deployment');
  });

  it('reads nothing from the AdmissionReview of a DELETE', () => {
    expect(readManifests(read(ADMISSION_FIXTURES, 'pod-delete.json'))).toEqual([]);
  });

  it('reads an empty file as no objects', () => {
    expect(readManifests('')).toEqual([]);
    expect(readManifests('# only a comment\n---\n')).toEqual([]);
  });

  describe('when a document cannot be used', () => {
    it.each([
      ['broken YAML in the second document', read(MANIFESTS, 'broken.yaml'), /^document 2: not valid YAML or JSON/],
      ['a scalar document', read(MANIFESTS, 'not-an-object.yaml'), /^document 2 is not a Kubernetes object/],
      ['a mapping without kind', 'metadata: {name: x}', /^document 1 is not a Kubernetes object/],
      ['a List whose items are not a list', 'kind: List\nitems: {}', /^document 1: items of a List must be a list/],
      [
        'a List item without kind',
        'kind: List\nitems: [{metadata: {}}]',
        /^document 1: items\[0\] is not a Kubernetes object/,
      ],
      [
        'an AdmissionReview of another version',
        '{"kind":"AdmissionReview","apiVersion":"admission.k8s.io/v2","request":{}}',
        /^document 1: not a valid AdmissionReview: apiVersion/,
      ],
      [
        'an alias bomb',
        `a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [${'*a, '.repeat(60)}*a]\nc: [${'*b, '.repeat(60)}*b]\nkind: Pod`,
        /^document 1: /,
      ],
    ])('refuses %s, naming the document', (_what, text, reason) => {
      expect(refusal(text)).toMatch(reason);
    });
  });
});
