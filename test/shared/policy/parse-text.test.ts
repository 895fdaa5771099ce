import { parseAllDocuments } from 'yaml';
import { parsePolicyText } from '../../../shared/policy/parse-text';

const fail = (message: string): never => {
  throw new Error(message);
};
const viaYaml = (text: string) => parseAllDocuments(text)[0]?.toJS();

const POLICY = {
  mode: 'enforce',
  rules: [
    { match: ['registry.example.com/**'], notary: { server: 'https://notary.example.com', rootKeys: ['./r.pem'] } },
    { match: ['docker.io/library/*'], action: 'allow', note: 'caf\u00e9 \u2713', weight: 0.5, n: -3 },
  ],
  cache: { freshTtlSeconds: 300 },
};

describe('parsePolicyText', () => {
  it('reads the text JSON.stringify writes (the staged policy) as YAML would', async () => {
    const text = JSON.stringify(POLICY);
    expect(await parsePolicyText(text, fail)).toEqual(viaYaml(text));
    expect(await parsePolicyText(`${text}\n`, fail)).toEqual(POLICY);
  });

  it('reads other JSON and YAML through the YAML parser, to the same value', async () => {
    const pretty = JSON.stringify(POLICY, null, 2);
    expect(await parsePolicyText(pretty, fail)).toEqual(POLICY);
    expect(await parsePolicyText('{"cache":{"freshTtlSeconds":300.0}}', fail)).toEqual({
      cache: { freshTtlSeconds: 300 },
    });
    expect(await parsePolicyText('mode: audit\nrules: []\n', fail)).toEqual({ mode: 'audit', rules: [] });
  });

  it('refuses duplicate keys in compact JSON as in YAML, never keeping the last as JSON.parse would', async () => {
    const duplicated = '{"mode":"audit","defaultAction":"deny","defaultAction":"allow"}';
    await expect(parsePolicyText(duplicated, fail)).rejects.toThrow(/not valid YAML or JSON at line 1.*unique/);
  });

  it('says where the syntax error is, and refuses an empty text', async () => {
    await expect(parsePolicyText('rules: [\n', fail)).rejects.toThrow(/not valid YAML or JSON at line \d+, column \d+/);
    await expect(parsePolicyText('   \n', fail)).rejects.toThrow('the policy is empty');
  });
});
