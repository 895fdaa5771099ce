import { parseBearerChallenge } from '../../../shared/registry/www-authenticate';

describe('parsing WWW-Authenticate', () => {
  it('reads realm, service and scope of a Docker Hub style challenge', () => {
    const header =
      'Bearer realm="https://auth.docker.io/token",service="notary.docker.io",scope="repository:docker.io/library/alpine:pull"';
    expect(parseBearerChallenge(header)).toEqual({
      realm: 'https://auth.docker.io/token',
      service: 'notary.docker.io',
      scope: 'repository:docker.io/library/alpine:pull',
    });
  });

  it('keeps commas and escaped quotes inside quoted values', () => {
    const header = 'Bearer realm="https://a.example/token",scope="repository:x:pull,push",service="say \\"hi\\""';
    expect(parseBearerChallenge(header)).toEqual({
      realm: 'https://a.example/token',
      scope: 'repository:x:pull,push',
      service: 'say "hi"',
    });
  });

  it('accepts unquoted values, spaces around separators and any letter case of names', () => {
    expect(parseBearerChallenge('bearer  Realm = https://a.example/token , SERVICE=svc')).toEqual({
      realm: 'https://a.example/token',
      service: 'svc',
      scope: undefined,
    });
  });

  it('finds the Bearer challenge among several', () => {
    const header = 'Basic realm="basic, really", Bearer realm="https://a.example/token",service="s"';
    expect(parseBearerChallenge(header)?.realm).toBe('https://a.example/token');
  });

  it('gives undefined for a missing header, another scheme, or a Bearer challenge without realm', () => {
    expect(parseBearerChallenge(undefined)).toBeUndefined();
    expect(parseBearerChallenge('Basic realm="x"')).toBeUndefined();
    expect(parseBearerChallenge('Bearer service="x"')).toBeUndefined();
    expect(parseBearerChallenge('Bearer realm="unterminated')).toEqual({
      realm: 'unterminated',
      service: undefined,
      scope: undefined,
    });
  });
});
