#!/usr/bin/env bash
# The published package as a user gets it: `npm pack` (which builds dist/ through `prepare`), the tarball installed
# into an empty folder outside the checkout, and the installed `notary-gate` run there: --version, --help, a
# `check` that admits (exit 0), one that denies (exit 1), a `check -f` of manifests without images (exit 0), and a
# usage error (exit 2). Fails if the install brings tsx or any other dev tooling. CI runs it (.ci/run).
# Usage: scripts/pack-smoke.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/notary-gate-pack-XXXXXX")"
trap 'rm -rf "$work"' EXIT

tarball="$(cd "$root" && npm pack --silent --pack-destination "$work" | tail -n 1)"
echo "packed $tarball ($(du -k "$work/$tarball" | cut -f1) KiB)"
mkdir "$work/app"
cd "$work/app"
npm init -y >/dev/null
npm install --no-audit --no-fund --silent "$work/$tarball"
for dev in tsx typescript esbuild @swc/core jest; do
  if [ -e "node_modules/$dev" ]; then echo "FAIL: installing the package brought $dev" >&2; exit 1; fi
done

expect() { # expect CODE COMMAND...: runs the installed CLI, fails unless it exits with CODE
  local want="$1"; shift
  local got=0
  "$@" >"$work/out" 2>"$work/err" || got=$?
  if [ "$got" != "$want" ]; then
    echo "FAIL: $* exited $got, expected $want" >&2; cat "$work/out" "$work/err" >&2; exit 1
  fi
}
cat >policy.yaml <<'YAML'
mode: enforce
defaultAction: deny
rules:
  - match: ["docker.io/library/**"]
    action: allow
YAML
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {a: b}\n' >configmap.yaml

expect 0 npx --no-install notary-gate --version
grep -qx "$(node -p "require('$root/package.json').version")" "$work/out"
expect 0 npx --no-install notary-gate --help
expect 0 npx --no-install notary-gate check --policy policy.yaml nginx:1.25.3
grep -q ALLOWED_BY_RULE "$work/out"
expect 1 npx --no-install notary-gate check --policy policy.yaml evil.example.com/miner
expect 0 npx --no-install notary-gate check --policy policy.yaml -f configmap.yaml
expect 2 npx --no-install notary-gate check --no-such-option
# The construct library: a CDK app of the user's own (aws-cdk-lib and constructs are its peer dependencies, linked
# from the checkout rather than downloaded), synthesized offline with the policy above.
ln -s "$root/node_modules/aws-cdk-lib" "$root/node_modules/constructs" node_modules/
cat >app.js <<'JS'
const { App, Stack } = require('aws-cdk-lib');
const { NotaryGate } = require('notary-gate');
const app = new App({ outdir: 'cdk.out' });
const stack = new Stack(app, 'Cluster');
const gate = new NotaryGate(stack, 'Gate', { policyFile: 'policy.yaml', excludedNamespaces: ['monitoring'] });
if (!gate.webhookConfiguration.includes('monitoring')) throw new Error('the webhook configuration misses the namespace');
app.synth();
JS
expect 0 node app.js
node -e "
const fs = require('fs');
const t = JSON.parse(fs.readFileSync('cdk.out/Cluster.template.json', 'utf8'));
const fn = Object.values(t.Resources).find((r) => r.Type === 'AWS::Lambda::Function');
if (!fn || fn.Properties.Handler !== 'index.handler') throw new Error('no webhook function in the template');
const asset = 'cdk.out/asset.' + fn.Properties.Code.S3Key.replace(/\.zip$/, '');
for (const f of ['index.mjs', 'chunks', 'policy/policy.json']) if (!fs.existsSync(asset + '/' + f)) throw new Error('the code asset lacks ' + f);
fs.writeFileSync('asset-dir', asset);
"
# The handler loads in a folder whose node_modules has no AWS SDK: the bundle carries what it uses.
node --input-type=module -e "
const m = await import(process.cwd() + '/' + (await import('node:fs')).readFileSync('asset-dir', 'utf8') + '/index.mjs');
if (typeof m.handler !== 'function') throw new Error('the code asset exports no handler');
"
printf 'rules: [{match: ["**"], action: maybe}]\n' >bad-policy.yaml
sed -i 's/policyFile: .policy.yaml./policyFile: "bad-policy.yaml"/' app.js
expect 1 node app.js
grep -q 'action' "$work/err"
echo "the installed package works: --version, --help, check (0, 1), check -f without images, usage error (2); NotaryGate synthesizes the prebuilt webhook with the policy (its handler loads without node_modules), and refuses a bad policy"
