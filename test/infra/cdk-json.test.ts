import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const cdkJson = JSON.parse(readFileSync(join(__dirname, '../../cdk.json'), 'utf8'));
const recommended = JSON.parse(
  readFileSync(join(__dirname, '../../node_modules/aws-cdk-lib/recommended-feature-flags.json'), 'utf8'),
);

describe('cdk.json', () => {
  it('runs the app from the TypeScript sources', () => {
    expect(cdkJson.app).toBe('node bin/run-ts.js infra/app.ts');
  });

  it('turns notices and CLI telemetry off, so synth contacts nothing', () => {
    expect(cdkJson.notices).toBe(false);
    expect(cdkJson.context['cli-telemetry']).toBe(false);
  });

  it('sets every feature flag this aws-cdk-lib recommends, to the recommended value', () => {
    for (const [flag, value] of Object.entries(recommended))
      expect([flag, cdkJson.context[flag]]).toEqual([flag, value]);
  });
});
