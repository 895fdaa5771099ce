import { extractImages } from '../../../shared/admission/extract';
import { parseAdmissionReview } from '../../../shared/admission/parse';
import { InvalidAdmissionReviewError } from '../../../shared/errors';
import { loadReview } from './fixtures';

function refusal(body: unknown): string {
  try {
    parseAdmissionReview(body);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidAdmissionReviewError);
    expect((error as InvalidAdmissionReviewError).code).toBe('INVALID_ADMISSION_REVIEW');
    return (error as Error).message;
  }
  throw new Error('expected the body to be refused');
}

function withRequest(change: (request: Record<string, unknown>) => void): Record<string, unknown> {
  const review = loadReview('pod-create');
  change(review.request);
  return review;
}

describe('parseAdmissionReview', () => {
  describe('when given an admission.k8s.io/v1 review', () => {
    it('normalizes the request fields', () => {
      const request = parseAdmissionReview(loadReview('pod-create'));
      expect(request).toMatchObject({
        apiVersion: 'admission.k8s.io/v1',
        uid: '705ab4f5-6393-11e8-b7cc-42010a800002',
        kind: { group: '', version: 'v1', kind: 'Pod' },
        resource: { group: '', version: 'v1', resource: 'pods' },
        subResource: undefined,
        operation: 'CREATE',
        namespace: 'default',
        name: 'web-7d4b9c8f6-x2kqz',
        userInfo: {
          username: 'system:serviceaccount:kube-system:replicaset-controller',
          groups: ['system:serviceaccounts', 'system:serviceaccounts:kube-system', 'system:authenticated'],
        },
        dryRun: false,
        oldObject: undefined,
      });
      expect((request.object as { kind: string }).kind).toBe('Pod');
    });

    it('keeps the subresource', () => {
      expect(parseAdmissionReview(loadReview('pod-ephemeralcontainers-update')).subResource).toBe(
        'ephemeralcontainers',
      );
    });

    it('has no object on DELETE, even though oldObject holds the deleted pod', () => {
      const request = parseAdmissionReview(loadReview('pod-delete'));
      expect(request.operation).toBe('DELETE');
      expect(request.object).toBeUndefined();
      expect(request.oldObject).toMatchObject({ kind: 'Pod' });
    });

    it('reads dryRun true', () => {
      expect(
        parseAdmissionReview(
          withRequest((r) => {
            r.dryRun = true;
          }),
        ).dryRun,
      ).toBe(true);
    });
  });

  describe('when given an admission.k8s.io/v1beta1 review', () => {
    it('keeps the apiVersion for the response and reads a missing dryRun as false', () => {
      const request = parseAdmissionReview(loadReview('pod-create-v1beta1'));
      expect(request.apiVersion).toBe('admission.k8s.io/v1beta1');
      expect(request.dryRun).toBe(false);
    });
  });

  describe('when real payloads vary', () => {
    it.each([
      ['null', 'deployment-update-oldobject-null'],
      ['{}', 'deployment-update-oldobject-empty'],
      ['""', 'deployment-update-oldobject-empty-string'],
      ['a string', 'deployment-update-oldobject-string'],
    ])('reads an oldObject of %s as undefined', (_what, fixture) => {
      expect(parseAdmissionReview(loadReview(fixture)).oldObject).toBeUndefined();
    });

    it('reads a missing oldObject as undefined', () => {
      expect(
        parseAdmissionReview(
          withRequest((r) => {
            delete r.oldObject;
          }),
        ).oldObject,
      ).toBeUndefined();
    });

    it('tolerates missing userInfo fields', () => {
      expect(
        parseAdmissionReview(
          withRequest((r) => {
            r.userInfo = {};
          }),
        ).userInfo,
      ).toEqual({ username: undefined, groups: [] });
      expect(
        parseAdmissionReview(
          withRequest((r) => {
            delete r.userInfo;
          }),
        ).userInfo,
      ).toEqual({ username: undefined, groups: [] });
    });

    it('reads a missing group as the core group and a missing namespace as undefined', () => {
      const request = parseAdmissionReview(
        withRequest((r) => {
          r.kind = { version: 'v1', kind: 'Pod' };
          delete r.namespace;
        }),
      );
      expect(request.kind.group).toBe('');
      expect(request.namespace).toBeUndefined();
    });

    it('answers a request without resource (older clusters and tools) from kind', () => {
      const request = parseAdmissionReview(
        withRequest((r) => {
          delete r.resource;
        }),
      );
      expect(request.resource).toBeUndefined();
      expect(request.kind).toEqual({ group: '', version: 'v1', kind: 'Pod' });
      expect(extractImages(request).map((image) => image.path)).toEqual([
        'spec.containers[0].image',
        'spec.containers[1].image',
        'spec.initContainers[0].image',
      ]);
    });

    it('reads resource: null, a kind without version and a resource without version as absent versions', () => {
      expect(
        parseAdmissionReview(
          withRequest((r) => {
            r.resource = null;
          }),
        ).resource,
      ).toBeUndefined();
      const request = parseAdmissionReview(
        withRequest((r) => {
          r.kind = { group: 'apps', kind: 'Deployment' };
          r.resource = { group: 'apps', resource: 'deployments' };
        }),
      );
      expect(request.kind).toEqual({ group: 'apps', version: '', kind: 'Deployment' });
      expect(request.resource).toEqual({ group: 'apps', version: '', resource: 'deployments' });
    });

    it('ignores unknown fields', () => {
      const review = {
        ...withRequest((r) => {
          r.somethingNew = { nested: true };
        }),
        extra: 1,
      };
      expect(parseAdmissionReview(review).uid).toBe('705ab4f5-6393-11e8-b7cc-42010a800002');
    });
  });

  describe('when the body is not an AdmissionReview we understand', () => {
    it.each([
      ['null', null, /the body must be a JSON object/],
      ['an array', [], /the body must be a JSON object/],
      ['a string', 'hello', /the body must be a JSON object/],
      [
        'another apiVersion',
        { ...loadReview('pod-create'), apiVersion: 'admission.k8s.io/v2' },
        /apiVersion: must be admission.k8s.io\/v1 or admission.k8s.io\/v1beta1/,
      ],
      ['another kind', { ...loadReview('pod-create'), kind: 'Pod' }, /kind: must be AdmissionReview/],
      [
        'no request',
        { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { allowed: true } },
        /request: is missing or not an object/,
      ],
      [
        'no uid',
        withRequest((r) => {
          delete r.uid;
        }),
        /request\.uid: must be a string/,
      ],
      [
        'an empty uid',
        withRequest((r) => {
          r.uid = '';
        }),
        /request\.uid: must not be empty/,
      ],
      [
        'an unknown operation',
        withRequest((r) => {
          r.operation = 'PATCH';
        }),
        /request\.operation: must be one of CREATE, UPDATE, DELETE, CONNECT/,
      ],
      [
        'a kind without kind',
        withRequest((r) => {
          r.kind = { group: '', version: 'v1' };
        }),
        /request\.kind\.kind: must be a string/,
      ],
      [
        'no kind',
        withRequest((r) => {
          delete r.kind;
        }),
        /request\.kind: must be an object/,
      ],
      [
        'a resource that is present but not an object',
        withRequest((r) => {
          r.resource = 'pods';
        }),
        /request\.resource: must be an object/,
      ],
      [
        'a resource without resource',
        withRequest((r) => {
          r.resource = { group: '', version: 'v1' };
        }),
        /request\.resource\.resource: must be a string/,
      ],
      [
        'groups that are not strings',
        withRequest((r) => {
          r.userInfo = { groups: [1] };
        }),
        /request\.userInfo\.groups\[0\]/,
      ],
      [
        'dryRun as a string',
        withRequest((r) => {
          r.dryRun = 'yes';
        }),
        /request\.dryRun: must be true or false/,
      ],
      [
        'a CREATE without object',
        withRequest((r) => {
          r.object = null;
        }),
        /request\.object: must be an object on CREATE/,
      ],
      [
        'an UPDATE with an empty object',
        {
          ...withRequest((r) => {
            r.object = {};
            r.operation = 'UPDATE';
          }),
        },
        /request\.object: must be an object on UPDATE/,
      ],
    ])('refuses %s, naming the field', (_what, body, reason) => {
      expect(refusal(body)).toMatch(reason);
    });
  });
});
