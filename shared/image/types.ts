/** A parsed and normalized image reference, as docker's `distribution/reference` normalizes it. */
export interface ImageReference {
  /** The string as written in the manifest. */
  readonly original: string;
  /** Registry host, with port when given: `docker.io`, `registry.example.com:5000`, `[::1]:5000`. */
  readonly domain: string;
  /** Repository path below the domain: `library/ubuntu`. */
  readonly path: string;
  /** Normalized repository name, `domain/path`: `docker.io/library/ubuntu`. Also the Notary GUN. */
  readonly name: string;
  /** Tag as written, or `latest` when neither tag nor digest is given; undefined when only a digest is given. */
  readonly tag: string | undefined;
  /** `algorithm:hex`, e.g. `sha256:…`, when given. */
  readonly digest: string | undefined;
  /** Normalized reference: `name[:tag][@digest]`, with `:latest` added when neither tag nor digest is given. */
  readonly reference: string;
}
