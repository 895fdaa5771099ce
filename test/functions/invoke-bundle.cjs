// Invokes the bundled Lambda (dist/webhook/index.js as CDK deploys it) in a plain node process, as the Lambda
// runtime would: `node invoke-bundle.cjs BUNDLE EVENTS_JSON RESULTS_JSON`. The bundle's own stdout (Powertools
// logs and EMF metrics) is left alone for the test to read.
const { readFileSync, writeFileSync } = require('node:fs');

const [bundle, eventsFile, resultsFile] = process.argv.slice(2);
const { handler } = require(bundle);
const events = JSON.parse(readFileSync(eventsFile, 'utf8'));

(async () => {
  const results = [];
  for (const event of events) {
    const startedAt = Date.now();
    const context = {
      functionName: 'notary-gate-test',
      awsRequestId: `req-${results.length}`,
      getRemainingTimeInMillis: () => Math.max(0, startedAt + 30_000 - Date.now()),
    };
    results.push(await handler(event, context));
  }
  writeFileSync(resultsFile, JSON.stringify(results));
})().catch((error) => {
  process.stderr.write(`${error.stack}\n`);
  process.exit(1);
});
