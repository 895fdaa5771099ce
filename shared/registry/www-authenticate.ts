/**
 * Parses `WWW-Authenticate` (RFC 9110 §11.6.1) far enough to find the Bearer challenge that Notary servers and
 * OCI registries send (the docker token auth spec):
 * `Bearer realm="https://auth.docker.io/token",service="notary.docker.io",scope="repository:x:pull"`.
 * Quoted strings may contain commas and escaped quotes; several challenges may share one header.
 */

export interface BearerChallenge {
  /** The token endpoint. */
  readonly realm: string;
  readonly service: string | undefined;
  readonly scope: string | undefined;
}

/** One challenge of the header: its scheme (lower case) and parameters (names lower case). */
export interface Challenge {
  readonly scheme: string;
  readonly params: Readonly<Record<string, string>>;
}

/** The Bearer challenge of a header, or undefined when there is none or it has no realm. */
export function parseBearerChallenge(header: string | undefined): BearerChallenge | undefined {
  if (!header) return undefined;
  const bearer = parseChallenges(header).find((challenge) => challenge.scheme === 'bearer');
  const realm = bearer?.params.realm;
  if (!bearer || !realm) return undefined;
  return { realm, service: bearer.params.service, scope: bearer.params.scope };
}

/** Every challenge of a header, in order (`Bearer …, Basic realm="x"`). */
export function parseChallenges(header: string): Challenge[] {
  const challenges: Array<{ scheme: string; params: Record<string, string> }> = [];
  let position = 0;
  const skip = (pattern: RegExp) => {
    while (position < header.length && pattern.test(header.charAt(position))) position++;
  };
  const readToken = (): string => {
    const start = position;
    while (position < header.length && /[!#$%&'*+\-.^_`|~0-9A-Za-z]/.test(header.charAt(position))) position++;
    return header.slice(start, position);
  };
  const readBare = (): string => {
    const start = position;
    while (position < header.length && !/[\s,]/.test(header.charAt(position))) position++;
    return header.slice(start, position);
  };
  const readQuoted = (): string => {
    let value = '';
    position++; // opening quote
    while (position < header.length && header.charAt(position) !== '"') {
      if (header.charAt(position) === '\\' && position + 1 < header.length) position++;
      value += header.charAt(position++);
    }
    position++; // closing quote
    return value;
  };

  while (position < header.length) {
    skip(/[\s,]/);
    const word = readToken();
    if (!word) {
      position++; // a character no grammar rule allows here: skip it rather than loop
      continue;
    }
    skip(/[ \t]/);
    if (header.charAt(position) === '=' && challenges.length > 0) {
      // `name=value`: a parameter of the current challenge.
      position++;
      skip(/[ \t]/);
      const value = header.charAt(position) === '"' ? readQuoted() : readBare();
      const current = challenges[challenges.length - 1];
      if (current) current.params[word.toLowerCase()] = value;
    } else {
      challenges.push({ scheme: word.toLowerCase(), params: {} });
    }
  }
  return challenges;
}
