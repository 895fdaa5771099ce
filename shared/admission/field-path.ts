/** `request.kind.version`, `rules[1].notary.server`: a schema issue's path as a person would write it. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((part, index) => (typeof part === 'number' ? `[${part}]` : `${index === 0 ? '' : '.'}${String(part)}`))
    .join('');
}

/**
 * RFC 6901 JSON Pointer of a location: `/spec/template/spec/containers/0/image`. Each key is escaped (`~` as `~0`,
 * then `/` as `~1`, in that order as section 3 requires), so a key holding either still names exactly one field.
 * The pointer, not the display path, is what a JSON Patch addresses.
 */
export function toJsonPointer(path: readonly (string | number)[]): string {
  return path.map((part) => `/${String(part).replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');
}
