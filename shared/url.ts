/**
 * A base URL without trailing slashes, so that `https://n.example/` and `https://n.example` are one identity (one
 * cache key, one trust state) and paths can be appended with one `/`. The one place of this rule.
 */
export function withoutTrailingSlashes(url: string): string {
  return url.replace(/\/+$/, '');
}
