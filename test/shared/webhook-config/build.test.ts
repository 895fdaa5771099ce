import { readdirSync } from 'node:fs';
import { parse } from 'yaml';
import { extractImages } from '../../../shared/admission/extract';
import { parseAdmissionReview } from '../../../shared/admission/parse';
import { WEBHOOK_TIMEOUT_SECONDS } from '../../../shared/constants';
import { InvalidInputError } from '../../../shared/errors';
import { BREAK_GLASS_LABEL } from '../../../shared/webhook-config/break-glass';
import {
  ADMITTED_RESOURCES,
  buildMutatingWebhookConfiguration,
  buildWebhookConfiguration,
  fillToken,
  TOKEN_PLACEHOLDER,
  toYaml,
  webhookUrl,
} from '../../../shared/webhook-config/build';
import { ADMISSION_FIXTURES, loadReview } from '../admission/fixtures';

type Webhook = {
  name: string;
  clientConfig: { url: string; caBundle?: string };
  rules: { apiGroups: string[]; operations: string[]; resources: string[] }[];
  namespaceSelector: { matchExpressions: { key: string; operator: string; values: string[] }[] };
  sideEffects: string;
  admissionReviewVersions: string[];
  timeoutSeconds: number;
  failurePolicy: string;
  matchConditions?: { name: string; expression: string }[];
  objectSelector?: { matchExpressions: { key: string; operator: string; values: string[] }[] };
};

const onlyWebhook = (configuration: Record<string, unknown>) => (configuration.webhooks as Webhook[])[0]!;
const base = { url: 'https://abc.lambda-url.eu-west-1.on.aws/' };

describe('webhook configuration', () => {
  describe('with defaults', () => {
    const configuration = buildWebhookConfiguration(base);
    const webhook = onlyWebhook(configuration);

    it('is an admissionregistration.k8s.io/v1 ValidatingWebhookConfiguration named notary-gate', () => {
      expect(configuration).toMatchObject({
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'ValidatingWebhookConfiguration',
        metadata: { name: 'notary-gate' },
      });
    });

    it('calls /validate on the function URL without a double slash', () => {
      expect(webhook.clientConfig.url).toBe('https://abc.lambda-url.eu-west-1.on.aws/validate');
      expect(webhook.clientConfig.caBundle).toBeUndefined();
    });

    it('fails closed, has no side effects and speaks AdmissionReview v1 only', () => {
      expect(webhook.failurePolicy).toBe('Fail');
      expect(webhook.sideEffects).toBe('None');
      expect(webhook.admissionReviewVersions).toEqual(['v1']);
    });

    it('uses the shared webhook timeout', () => {
      expect(webhook.timeoutSeconds).toBe(WEBHOOK_TIMEOUT_SECONDS);
    });

    it('admits CREATE and UPDATE of every resource that carries a pod spec, in its API group', () => {
      const byGroup = Object.fromEntries(webhook.rules.map((rule) => [rule.apiGroups.join(), rule.resources]));
      expect(byGroup).toEqual({
        '': ['pods', 'pods/ephemeralcontainers', 'replicationcontrollers', 'podtemplates'],
        apps: ['deployments', 'replicasets', 'statefulsets', 'daemonsets'],
        batch: ['jobs', 'cronjobs'],
        'argoproj.io': ['rollouts'],
      });
      for (const rule of webhook.rules) expect(rule.operations).toEqual(['CREATE', 'UPDATE']);
    });

    it('excludes kube-system by its namespace name label', () => {
      expect(webhook.namespaceSelector.matchExpressions).toEqual([
        { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system'] },
      ]);
    });

    it('has no match conditions, so dry runs and metadata-only updates are checked too', () => {
      expect(webhook.matchConditions).toBeUndefined();
    });

    it('has no objectSelector: no label exempts an object unless break-glass is asked for', () => {
      expect(webhook.objectSelector).toBeUndefined();
    });
  });

  describe('every admitted resource', () => {
    /** Each fixture AdmissionReview by the resource (and subresource) it was captured for. */
    const fixtures = readdirSync(ADMISSION_FIXTURES).map((file) => loadReview(file.replace(/\.json$/, '')));
    const resourceOf = (review: ReturnType<typeof loadReview>) => {
      const resource = review.request.resource as { group: string; resource: string } | undefined;
      const sub = review.request.subResource as string | undefined;
      return resource && { group: resource.group, resource: sub ? `${resource.resource}/${sub}` : resource.resource };
    };
    const admitted = ADMITTED_RESOURCES.flatMap(({ apiGroup, resources }) =>
      resources.map((resource) => [apiGroup, resource] as const),
    );

    it.each(admitted)('%s %s has a real-shaped fixture whose images extraction finds', (group, resource) => {
      const matching = fixtures.filter((review) => {
        const of = resourceOf(review);
        return of?.group === group && of.resource === resource && review.request.operation !== 'DELETE';
      });
      expect(matching.length).toBeGreaterThan(0);
      for (const review of matching.filter((r) => !JSON.stringify(r.request.object).includes('"workloadRef"'))) {
        expect(extractImages(parseAdmissionReview(review)).length).toBeGreaterThan(0);
      }
    });
  });

  describe('with break-glass', () => {
    const options = { ...base, breakGlass: true };
    const validating = onlyWebhook(buildWebhookConfiguration(options));
    const mutating = onlyWebhook(buildMutatingWebhookConfiguration(options));

    it('leaves objects labelled break-glass "true" out of the validating webhook', () => {
      expect(validating.objectSelector).toEqual({
        matchExpressions: [{ key: BREAK_GLASS_LABEL, operator: 'NotIn', values: ['true'] }],
      });
      expect(BREAK_GLASS_LABEL).toBe('notary-gate.io/break-glass');
    });

    it('keeps sending them to the mutating webhook, which logs and counts them', () => {
      expect(mutating.objectSelector).toBeUndefined();
    });

    it('changes nothing else of the validating webhook', () => {
      const { objectSelector: _selector, ...rest } = validating;
      expect(rest).toEqual(onlyWebhook(buildWebhookConfiguration(base)));
    });
  });

  describe('with options', () => {
    const webhook = onlyWebhook(
      buildWebhookConfiguration({
        ...base,
        token: 'tok3n-0123456789abcdef',
        caBundle: 'Q0E=',
        timeoutSeconds: 5,
        failurePolicy: 'Ignore',
        excludedNamespaces: ['monitoring', 'kube-system'],
        name: 'gate',
        skipUnchangedSpecUpdates: true,
      }),
    );

    it('puts the token in the path and keeps the CA bundle', () => {
      expect(webhook.clientConfig).toEqual({
        url: 'https://abc.lambda-url.eu-west-1.on.aws/validate/tok3n-0123456789abcdef',
        caBundle: 'Q0E=',
      });
    });

    it('excludes the extra namespaces once each, kube-system first', () => {
      expect(webhook.namespaceSelector.matchExpressions[0]?.values).toEqual(['kube-system', 'monitoring']);
    });

    it('takes the timeout and failure policy given', () => {
      expect(webhook).toMatchObject({ timeoutSeconds: 5, failurePolicy: 'Ignore' });
    });

    it('skips updates whose spec did not change with a CEL match condition', () => {
      expect(webhook.matchConditions?.[0]?.expression).toContain('object.spec != oldObject.spec');
    });
  });

  it.each([0, 31, 2.5])('rejects a timeout of %s seconds', (timeoutSeconds) => {
    expect(() => buildWebhookConfiguration({ ...base, timeoutSeconds })).toThrow(InvalidInputError);
  });

  describe('as YAML', () => {
    const longUrl = `https://${'a'.repeat(120)}.lambda-url.eu-west-1.on.aws`;
    const yaml = toYaml(buildWebhookConfiguration({ url: longUrl, token: TOKEN_PLACEHOLDER }));

    it('round-trips and never folds the URL', () => {
      const webhook = onlyWebhook(parse(yaml));
      expect(webhook.clientConfig.url).toBe(`${longUrl}/validate/${TOKEN_PLACEHOLDER}`);
      expect(yaml).toContain(`${longUrl}/validate/${TOKEN_PLACEHOLDER}`);
    });

    it('takes the real token in place of the placeholder', () => {
      const filled = onlyWebhook(parse(fillToken(yaml, 'abcDEF1234567890xyz')));
      expect(filled.clientConfig.url).toBe(`${longUrl}/validate/abcDEF1234567890xyz`);
    });

    it('refuses a token that is not a safe URL path part', () => {
      expect(() => fillToken(yaml, 'a/b-0123456789abcdef')).toThrow(InvalidInputError);
      expect(() => fillToken(yaml, 'short-token')).toThrow(/16-256 characters/);
    });

    it('refuses to fill a configuration that has no placeholder', () => {
      expect(() => fillToken(toYaml(buildWebhookConfiguration(base)), 'abcdefghijklmnopqrstuvwxyz')).toThrow(
        /placeholder/,
      );
    });
  });

  it('builds the URL with and without a token', () => {
    expect(webhookUrl('https://h/', '')).toBe('https://h/validate');
    expect(webhookUrl('https://h', 'tttttttttttttttt')).toBe('https://h/validate/tttttttttttttttt');
  });
});

describe('mutating webhook configuration', () => {
  const options = {
    url: 'https://abc.lambda-url.eu-west-1.on.aws/',
    token: TOKEN_PLACEHOLDER,
    timeoutSeconds: 7,
    excludedNamespaces: ['monitoring'],
    skipUnchangedSpecUpdates: true,
  };
  const mutating = buildMutatingWebhookConfiguration(options);
  const validating = buildWebhookConfiguration(options);
  const webhook = onlyWebhook(mutating) as Webhook & { reinvocationPolicy: string };

  it('is a MutatingWebhookConfiguration calling /mutate/<token>', () => {
    expect(mutating).toMatchObject({ kind: 'MutatingWebhookConfiguration', metadata: { name: 'notary-gate' } });
    expect(webhook.name).toBe('pin-digests.notary-gate.io');
    expect(webhook.clientConfig.url).toBe(`https://abc.lambda-url.eu-west-1.on.aws/mutate/${TOKEN_PLACEHOLDER}`);
  });

  it('is ignored when it fails (validation still guards), re-invoked if needed, without side effects', () => {
    expect(webhook).toMatchObject({ failurePolicy: 'Ignore', reinvocationPolicy: 'IfNeeded', sideEffects: 'None' });
    expect(onlyWebhook(buildMutatingWebhookConfiguration({ ...options, failurePolicy: 'Fail' })).failurePolicy).toBe(
      'Fail',
    );
  });

  it('sees the same objects as the validating one: rules, namespace selector, match conditions and timeout', () => {
    const shared = (entry: Webhook) => ({
      rules: entry.rules,
      namespaceSelector: entry.namespaceSelector,
      matchConditions: entry.matchConditions,
      timeoutSeconds: entry.timeoutSeconds,
      admissionReviewVersions: entry.admissionReviewVersions,
    });
    expect(shared(webhook)).toEqual(shared(onlyWebhook(validating)));
    expect(webhook.timeoutSeconds).toBe(7);
  });

  it('has its token filled in like the validating one', () => {
    expect(fillToken(toYaml(mutating), 'a'.repeat(20))).toContain(`/mutate/${'a'.repeat(20)}`);
  });
});
