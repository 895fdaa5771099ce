/**
 * Which `Authorization` a registry request carries. A registry says what it wants in the `401` challenge:
 * `Bearer realm,service,scope` (token auth: a pull token per repository from the realm, shared/registry/token-auth.ts)
 * or `Basic` (the configured credentials, or, for ECR hosts, a GetAuthorizationToken token). The challenge seen
 * last per host is remembered, so that later requests send credentials up front and save the 401 round trip;
 * ECR hosts are known to want Basic from their name and never pay it.
 */
import { TrustError } from '../errors';
import type { EcrAuthorizer } from './ecr-auth';
import { registryOrigin } from './registry-origin';
import type { RegistryTarget } from './settings';
import type { TokenAuthenticator } from './token-auth';
import { type BearerChallenge, parseChallenges } from './www-authenticate';

type KnownChallenge = { readonly scheme: 'bearer'; readonly challenge: BearerChallenge } | { readonly scheme: 'basic' };

export interface AuthRequest {
  readonly target: RegistryTarget;
  /** The repository path below the host (`library/alpine`): the token scope is `repository:<it>:pull`. */
  readonly repository: string;
  readonly signal?: AbortSignal;
}

export class RegistryAuthorizer {
  readonly #known = new Map<string, KnownChallenge>();

  constructor(
    private readonly tokens: TokenAuthenticator,
    private readonly ecr: EcrAuthorizer,
  ) {}

  /** The header to send before any challenge: ECR's, or what this host's last challenge asked for. */
  async upFront(request: AuthRequest): Promise<string | undefined> {
    const { target } = request;
    if (target.ecr) return this.ecr.authorization(target.host, target.ecr, { signal: request.signal });
    const known = this.#known.get(target.host);
    if (known?.scheme === 'bearer') return this.#bearer(request, known.challenge, false);
    if (known?.scheme === 'basic' && target.credentials) return basicHeader(target.credentials);
    return undefined;
  }

  /**
   * The header answering a `401`'s `WWW-Authenticate`. `refused`: the header sent was already refused once, so a
   * cached token is not offered again.
   */
  async answer(request: AuthRequest, header: string | undefined, refused: boolean): Promise<string> {
    const { target } = request;
    const origin = registryOrigin(target.host);
    const challenges = header ? parseChallenges(header) : [];
    const bearer = challenges.find((challenge) => challenge.scheme === 'bearer' && challenge.params.realm);
    if (bearer) {
      const challenge: BearerChallenge = {
        realm: bearer.params.realm as string,
        service: bearer.params.service,
        scope: bearer.params.scope,
      };
      this.#known.set(target.host, { scheme: 'bearer', challenge });
      return this.#bearer(request, challenge, refused);
    }
    if (challenges.some((challenge) => challenge.scheme === 'basic')) {
      this.#known.set(target.host, { scheme: 'basic' });
      if (target.ecr) {
        return this.ecr.authorization(target.host, target.ecr, { signal: request.signal, fresh: refused });
      }
      if (!target.credentials) {
        throw new TrustError(
          origin.errorCode,
          `${origin.name} asks for Basic credentials for ${request.repository}; set ${origin.credentialsSetting}.`,
        );
      }
      if (refused) {
        throw new TrustError(
          origin.errorCode,
          `${origin.name} refused the credentials of ${origin.credentialsSetting} for ${request.repository}.`,
        );
      }
      return basicHeader(target.credentials);
    }
    throw new TrustError(origin.errorCode, `${origin.name} answered 401 without a Bearer or Basic challenge.`);
  }

  #bearer(request: AuthRequest, challenge: BearerChallenge, fresh: boolean): Promise<string> {
    const { target } = request;
    return this.tokens.authorize(target.host, challenge, {
      origin: registryOrigin(target.host),
      repository: request.repository,
      credentials: target.credentials,
      signal: request.signal,
      ca: target.ca,
      fresh,
    });
  }
}

function basicHeader(credentials: { username: string; password: string }): string {
  return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
}
