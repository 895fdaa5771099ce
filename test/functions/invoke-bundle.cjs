// Invokes the bundled Lambda (index.mjs and its chunks, as CDK deploys them) in a plain node process, as the Lambda
// runtime would: `node invoke-bundle.cjs BUNDLE EVENTS_JSON RESULTS_JSON`. The bundle's own stdout (Powertools
// logs and EMF metrics) is left alone for the test to read. The results file holds the answers, the packages the
// bundle loaded from outside itself (`externals`: specifier -> file), by import or by require, at init or on first
// use (a self-contained bundle loads none), and the files of the bundle that were imported (`loaded`).
const Module = require('node:module');
const { readFileSync, writeFileSync } = require('node:fs');
const path = require('node:path');
const { fileURLToPath, pathToFileURL } = require('node:url');
const { MessageChannel } = require('node:worker_threads');

const [bundle, eventsFile, resultsFile] = process.argv.slice(2);
const bundleDir = path.dirname(bundle);
const externals = {};
const loaded = new Set([bundle]);

const isBare = (request) => !/^(\.|\/|node:)/.test(request) && !Module.isBuiltin(request);

// import: resolved as Lambda resolves it (NODE_PATH included) and reported by the hook.
const { port1, port2 } = new MessageChannel();
port1.on('message', ({ specifier, url, bare }) => {
  if (bare) externals[specifier] = fileURLToPath(url);
  else if (url.startsWith('file:')) loaded.add(fileURLToPath(url));
});
port1.unref();
Module.register(pathToFileURL(path.join(__dirname, 'lambda-node-path.mjs')), {
  data: { port: port2, bundleDirUrl: pathToFileURL(`${bundleDir}${path.sep}`).href },
  transferList: [port2],
});

// require (the createRequire the bundle's CommonJS parts use): only record what the bundle asks for.
const load = Module._load;
Module._load = function loadRecordingExternals(request, parent, ...rest) {
  if (parent?.filename?.startsWith(`${bundleDir}${path.sep}`) && isBare(request)) {
    externals[request] = Module._resolveFilename(request, parent);
  }
  return load.call(this, request, parent, ...rest);
};

(async () => {
  const { handler } = await import(pathToFileURL(bundle).href);
  const events = JSON.parse(readFileSync(eventsFile, 'utf8'));
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
  writeFileSync(resultsFile, JSON.stringify({ results, externals, loaded: [...loaded] }));
})().catch((error) => {
  process.stderr.write(`${error.stack}\n`);
  process.exit(1);
});
