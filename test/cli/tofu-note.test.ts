import { trustOnFirstUseNote } from '../../cli/tofu-note';
import { loadPolicy } from '../../shared/policy/load';

const EXAMPLES = `${__dirname}/../../examples`;

async function policy() {
  return loadPolicy({
    text: `rules:
  - { match: "ghcr.io/pinned/**", notary: { server: "https://n.example", rootKeys: ["./policy-keys/root.crt"] } }
  - { match: "ghcr.io/allowed/**", action: allow, notary: { server: "https://n.example" } }
  - { match: "ghcr.io/a/**", notary: { server: "https://a.example" } }
  - { match: "ghcr.io/b/**", notary: { server: "https://b.example" } }`,
    baseDir: EXAMPLES,
    validateOnly: true,
  });
}

describe('trustOnFirstUseNote', () => {
  it('names every rule and up to 3 repositories, counting the others', async () => {
    const names = ['ghcr.io/a/1', 'ghcr.io/a/2', 'ghcr.io/b/3', 'ghcr.io/b/4', 'ghcr.io/a/1', null];
    const note = trustOnFirstUseNote(await policy(), names, { env: {} });
    expect(note).toMatch(/^notary-gate: note: rules\[2\]\.notary, rules\[3\]\.notary trust the root on first use/);
    expect(note).toContain('for ghcr.io/a/1, ghcr.io/a/2, ghcr.io/b/3 and 1 more (a replaced root passes too)');
    expect(note?.endsWith('\n')).toBe(true);
    expect(note?.split('\n')).toHaveLength(2);
  });

  it('is silent with a cache table, from --cache-table or CACHE_TABLE', async () => {
    const loaded = await policy();
    expect(trustOnFirstUseNote(loaded, ['ghcr.io/a/1'], { cacheTable: 'gate', env: {} })).toBeUndefined();
    expect(trustOnFirstUseNote(loaded, ['ghcr.io/a/1'], { env: { CACHE_TABLE: 'gate' } })).toBeUndefined();
    expect(trustOnFirstUseNote(loaded, ['ghcr.io/a/1'], { env: {} })).toBeDefined();
  });

  it('is silent for pinned roots, rules that do not verify, images no rule matches and invalid references', async () => {
    const names = ['ghcr.io/pinned/x', 'ghcr.io/allowed/x', 'quay.io/other/x', null];
    expect(trustOnFirstUseNote(await policy(), names, { env: {} })).toBeUndefined();
  });
});
