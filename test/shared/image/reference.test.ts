import fc from 'fast-check';
import { InvalidReferenceError } from '../../../shared/errors';
import { MAX_NAME_LENGTH, parseReference } from '../../../shared/image/reference';

const SHA256 = `sha256:${'f'.repeat(64)}`;
const SHA512 = `sha512:${'f'.repeat(128)}`;
const REDIS_DIGEST = 'sha256:dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c';

function reasonFor(input: string): string {
  try {
    parseReference(input);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidReferenceError);
    expect((error as InvalidReferenceError).code).toBe('INVALID_REFERENCE');
    expect((error as InvalidReferenceError).input).toBe(input);
    return (error as Error).message;
  }
  throw new Error(`expected ${input} to be refused`);
}

describe('parseReference', () => {
  describe('when given familiar Docker Hub names', () => {
    it.each([
      ['ubuntu', 'docker.io', 'library/ubuntu', 'latest', undefined, 'docker.io/library/ubuntu:latest'],
      ['ubuntu:22.04', 'docker.io', 'library/ubuntu', '22.04', undefined, 'docker.io/library/ubuntu:22.04'],
      ['library/debian', 'docker.io', 'library/debian', 'latest', undefined, 'docker.io/library/debian:latest'],
      ['docker/docker', 'docker.io', 'docker/docker', 'latest', undefined, 'docker.io/docker/docker:latest'],
      ['docker.io/debian', 'docker.io', 'library/debian', 'latest', undefined, 'docker.io/library/debian:latest'],
      ['index.docker.io/debian', 'docker.io', 'library/debian', 'latest', undefined, 'docker.io/library/debian:latest'],
      ['index.docker.io/fooo/bar', 'docker.io', 'fooo/bar', 'latest', undefined, 'docker.io/fooo/bar:latest'],
      [
        'docker.io/library/foo/bar',
        'docker.io',
        'library/foo/bar',
        'latest',
        undefined,
        'docker.io/library/foo/bar:latest',
      ],
      ['store/foo/bar', 'docker.io', 'store/foo/bar', 'latest', undefined, 'docker.io/store/foo/bar:latest'],
      ['test_com/foo', 'docker.io', 'test_com/foo', 'latest', undefined, 'docker.io/test_com/foo:latest'],
      [
        'ubuntu-12.04-base',
        'docker.io',
        'library/ubuntu-12.04-base',
        'latest',
        undefined,
        'docker.io/library/ubuntu-12.04-base:latest',
      ],
      ['192.168.0.1', 'docker.io', 'library/192.168.0.1', 'latest', undefined, 'docker.io/library/192.168.0.1:latest'],
      ['192.168.0.1:80', 'docker.io', 'library/192.168.0.1', '80', undefined, 'docker.io/library/192.168.0.1:80'],
      ['localhost:5000', 'docker.io', 'library/localhost', '5000', undefined, 'docker.io/library/localhost:5000'],
    ])('normalizes %s', (input, domain, path, tag, digest, reference) => {
      const ref = parseReference(input);
      expect(ref).toEqual({ original: input, domain, path, name: `${domain}/${path}`, tag, digest, reference });
    });
  });

  describe('when the first element names a registry', () => {
    it.each([
      ['localhost/foo', 'localhost', 'foo'],
      ['localhost:5000/docker/docker', 'localhost:5000', 'docker/docker'],
      ['127.0.0.1:5000/debian', '127.0.0.1:5000', 'debian'],
      ['192.168.0.1:8/debian', '192.168.0.1:8', 'debian'],
      ['test:5000/repo', 'test:5000', 'repo'],
      ['test-com:8080/foo', 'test-com:8080', 'foo'],
      ['sub-dom1.foo.com/bar/baz/quux', 'sub-dom1.foo.com', 'bar/baz/quux'],
      ['xn--n3h.com:18080/foo', 'xn--n3h.com:18080', 'foo'],
      ['b.gcr.io/test.example.com/my-app', 'b.gcr.io', 'test.example.com/my-app'],
      ['Docker/docker', 'Docker', 'docker'],
      ['FOO/bar', 'FOO', 'bar'],
      ['[::1]:5000/repo', '[::1]:5000', 'repo'],
      ['[2001:db8::1]/repo', '[2001:db8::1]', 'repo'],
      ['[2001:db8:1:2:3:4:5:6]:5000/library/debian', '[2001:db8:1:2:3:4:5:6]:5000', 'library/debian'],
      ['[fc00::1]:5000/docker/docker', '[fc00::1]:5000', 'docker/docker'],
    ])('takes the registry of %s as %s', (input, domain, path) => {
      const ref = parseReference(input);
      expect(ref.domain).toBe(domain);
      expect(ref.path).toBe(path);
      expect(ref.name).toBe(`${domain}/${path}`);
      expect(ref.reference).toBe(`${domain}/${path}:latest`);
    });

    it('does not add library/ to single-element paths on other registries', () => {
      expect(parseReference('example.com/privatebase').name).toBe('example.com/privatebase');
    });
  });

  describe('when a tag and/or a digest is given', () => {
    it('keeps a digest-only reference without a tag', () => {
      const ref = parseReference(`redis@${REDIS_DIGEST}`);
      expect(ref.tag).toBeUndefined();
      expect(ref.digest).toBe(REDIS_DIGEST);
      expect(ref.reference).toBe(`docker.io/library/redis@${REDIS_DIGEST}`);
    });

    it('keeps both the tag and the digest', () => {
      const input = 'busybox:latest@sha256:86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa';
      const ref = parseReference(input);
      expect(ref.tag).toBe('latest');
      expect(ref.reference).toBe(`docker.io/library/${input}`);
    });

    it.each([
      [`test:5000/repo:tag@${SHA256}`, 'test:5000/repo', 'tag', SHA256],
      [`[2001:db8::1]:5000/repo:tag@${SHA256}`, '[2001:db8::1]:5000/repo', 'tag', SHA256],
      [`xn--7o8h.com/myimage:xn--7o8h.com@${SHA512}`, 'xn--7o8h.com/myimage', 'xn--7o8h.com', SHA512],
      [`foo@sha384:${'a'.repeat(96)}`, 'docker.io/library/foo', undefined, `sha384:${'a'.repeat(96)}`],
      [
        `foo@multihash+base58:${'A'.repeat(40)}`,
        'docker.io/library/foo',
        undefined,
        `multihash+base58:${'A'.repeat(40)}`,
      ],
    ])('parses %s', (input, name, tag, digest) => {
      const ref = parseReference(input);
      expect([ref.name, ref.tag, ref.digest]).toEqual([name, tag, digest]);
    });

    it('accepts upper case and the full 128 characters in tags', () => {
      expect(parseReference('lowercase:Uppercase').tag).toBe('Uppercase');
      expect(parseReference(`a:${'_'.repeat(128)}`).tag).toBe('_'.repeat(128));
    });

    it('reads a number after the last slash as a tag, not a port', () => {
      const ref = parseReference('192.168.1.1:5000/repo:5050');
      expect([ref.domain, ref.path, ref.tag]).toEqual(['192.168.1.1:5000', 'repo', '5050']);
    });
  });

  describe('when the name is close to the length limit', () => {
    it(`accepts a normalized name of exactly ${MAX_NAME_LENGTH} characters`, () => {
      const path = 'a'.repeat(MAX_NAME_LENGTH - 'example.com/'.length);
      expect(parseReference(`example.com/${path}`).name).toHaveLength(MAX_NAME_LENGTH);
    });

    it('counts the added docker.io/library/ prefix', () => {
      const name = 'a'.repeat(MAX_NAME_LENGTH - 'docker.io/library/'.length + 1);
      expect(reasonFor(name)).toMatch(/more than 255/);
    });
  });

  describe('when the string is not a valid reference', () => {
    it.each([
      ['', /empty/],
      [':justtag', /repository name is missing/],
      [`@${SHA256}`, /repository name is missing/],
      ['1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a', /image ID/],
      ['Uppercase:tag', /"library\/Uppercase" must be lowercase/],
      ['docker/Docker', /must be lowercase/],
      ['test:5000/Uppercase/lowercase:tag', /must be lowercase/],
      ['https://github.com/docker/docker', /port must be digits/],
      ['-docker', /path component "-docker"/],
      ['-docker/docker', /path component "-docker"/],
      ['docker-/docker', /path component "docker-"/],
      ['-docker.io/docker/docker', /registry "-docker.io" is not a valid host name/],
      ['docker///docker', /empty component/],
      ['docker/', /empty component/],
      ['dock..er/docker', /registry "dock..er" is not a valid host name/],
      ['dock_.er/docker', /registry "dock_.er" is not a valid host name/],
      ['dock..er', /path component "dock..er"/],
      ['____/____', /path component/],
      ['aa/asdf$$^/aa', /path component "asdf\$\$\^"/],
      ['[fc00::1]', /path component "\[fc00:"/],
      ['[fc00::1]:5000', /path component/],
      ['[2001:db8::1]:tag', /path component/],
      ['fc00::1:5000/debian', /port must be digits/],
      ['[fe80::1%eth0]:5000/debian', /IPv6/],
      ['[2001:db8:3:4::192.0.2.33]:5000/debian', /IPv6/],
      ['foo_bar.com:8080/x', /not a valid host name/],
      ['ubuntu:', /tag after ":" is empty/],
      ['ubuntu:-dash', /tag "-dash" must start/],
      ['ubuntu:.dot', /must start with a letter/],
      [`ubuntu:${'a'.repeat(129)}`, /longer than 128/],
      ['ubuntu@', /algorithm:hex/],
      ['ubuntu@sha256', /algorithm:hex/],
      ['repo@sha256:ffffffffffffffffffffffffffffffffff', /sha256 digest must be 64 lowercase/],
      [`repo@sha256:${'F'.repeat(64)}`, /sha256 digest must be 64 lowercase/],
      [`repo@sha512:${'f'.repeat(64)}`, /sha512 digest must be 128/],
      [`repo@1sha:${'f'.repeat(64)}`, /algorithm "1sha" is not valid/],
      ['repo@md5:abc', /at least 32 hexadecimal/],
      [`repo@sha256:${'f'.repeat(64)}@x`, /more than one "@"/],
      ['ubuntu latest', /path component/],
      [' ubuntu', /path component/],
      [`${'a'.repeat(2000)}`, /longer than 1024/],
    ])('refuses %j', (input, reason) => {
      expect(reasonFor(input)).toMatch(reason);
    });

    it('refuses a first element with "." that is not a host name, where docker would return a name without registry', () => {
      expect(reasonFor('a.b_c/d')).toMatch(/registry "a.b_c" is not a valid host name/);
    });

    it('names the offending part in the reason', () => {
      expect(reasonFor('Nginx')).toBe('the repository path "library/Nginx" must be lowercase');
    });
  });

  describe('as a property', () => {
    const alnum = fc.stringMatching(/^[a-z0-9]{1,6}$/);
    const separator = fc.constantFrom('.', '_', '__', '-', '--');
    const component = fc
      .tuple(alnum, fc.array(fc.tuple(separator, alnum), { maxLength: 2 }))
      .map(([head, tail]) => head + tail.map(([sep, part]) => sep + part).join(''));
    const path = fc.array(component, { minLength: 1, maxLength: 4 }).map((parts) => parts.join('/'));
    const host = fc.oneof(
      fc.constant('localhost'),
      fc
        .array(fc.stringMatching(/^[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,5}[a-zA-Z0-9])?$/), { minLength: 2, maxLength: 3 })
        .map((parts) => parts.join('.')),
      fc.stringMatching(/^\[[0-9a-f]{0,4}:[0-9a-f:]{1,12}\]$/),
    );
    const domain = fc
      .tuple(host, fc.option(fc.integer({ min: 1, max: 65535 })))
      .map(([h, p]) => (p === null ? h : `${h}:${p}`));
    const tag = fc.stringMatching(/^\w[\w.-]{0,20}$/);
    const digest = fc.oneof(
      fc.stringMatching(/^[0-9a-f]{64}$/).map((hex) => `sha256:${hex}`),
      fc.stringMatching(/^[0-9a-f]{128}$/).map((hex) => `sha512:${hex}`),
    );
    /** A valid reference as written, with the parts docker would normalize it to. */
    const written = fc.tuple(fc.option(domain), path, fc.option(tag), fc.option(digest)).map(([d, p, t, g]) => {
      // Without a registry, a first element with "." would be read as a registry (and refused): keep it a path.
      const pathOnly = d === null ? p.replace(/^[^/]*\//, (first) => first.replaceAll('.', '-')) : p;
      const input = (d === null ? pathOnly : `${d}/${p}`) + (t === null ? '' : `:${t}`) + (g === null ? '' : `@${g}`);
      const expectedDomain = d ?? 'docker.io';
      const expectedPath = d === null && !pathOnly.includes('/') ? `library/${pathOnly}` : pathOnly;
      const expectedTag = t ?? (g === null ? 'latest' : undefined);
      return {
        input,
        expected: { domain: expectedDomain, path: expectedPath, tag: expectedTag, digest: g ?? undefined },
      };
    });
    const reference = written.map(({ input }) => input);
    /** Fixed seed: the same cases on every run; change it to explore. */
    const params = { seed: 20241127, numRuns: 500 };

    it('splits every valid reference into the parts it was built from', () => {
      fc.assert(
        fc.property(written, ({ input, expected }) => {
          const ref = parseReference(input);
          expect({ domain: ref.domain, path: ref.path, tag: ref.tag, digest: ref.digest }).toEqual(expected);
          expect(ref.name).toBe(`${expected.domain}/${expected.path}`);
        }),
        params,
      );
    });

    it('normalizes a normalized reference to itself', () => {
      fc.assert(
        fc.property(reference, (input) => {
          const once = parseReference(input);
          expect(parseReference(once.reference).reference).toBe(once.reference);
        }),
        params,
      );
    });

    it('never throws anything but InvalidReferenceError', () => {
      const noisy = fc.oneof(
        fc.string(),
        fc.string({ unit: 'binary' }),
        reference.map((r) => `${r}\u0000`),
        reference.chain((r) =>
          fc.integer({ min: 0, max: r.length }).map((i) => r.slice(0, i) + '/:@['.charAt(i % 4) + r.slice(i)),
        ),
      );
      fc.assert(
        fc.property(noisy, (input) => {
          try {
            parseReference(input);
          } catch (error) {
            expect(error).toBeInstanceOf(InvalidReferenceError);
          }
        }),
        { ...params, numRuns: 2000 },
      );
    });
  });
});
