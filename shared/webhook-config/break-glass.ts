/**
 * The break-glass label: with the option on (`webhook-config --break-glass`, the construct's `breakGlass` prop), an
 * object labelled `notary-gate.io/break-glass: "true"` is left out of the validating webhook by an objectSelector,
 * so an emergency fix deploys even while the webhook or a signature source is down. The name sits in the domain of
 * the webhook names (`*.notary-gate.io`); only the exact value "true" counts, so `"false"` or `""` exempts nothing.
 */
export const BREAK_GLASS_LABEL = 'notary-gate.io/break-glass';
export const BREAK_GLASS_VALUE = 'true';

/** Whether an admitted object carries the break-glass label with the value that exempts it (its own labels only). */
export function carriesBreakGlassLabel(object: unknown): boolean {
  if (object === null || typeof object !== 'object') return false;
  const metadata = (object as { metadata?: unknown }).metadata;
  if (metadata === null || typeof metadata !== 'object') return false;
  const labels = (metadata as { labels?: unknown }).labels;
  if (labels === null || typeof labels !== 'object' || Array.isArray(labels)) return false;
  return (
    Object.hasOwn(labels, BREAK_GLASS_LABEL) &&
    (labels as Record<string, unknown>)[BREAK_GLASS_LABEL] === BREAK_GLASS_VALUE
  );
}
