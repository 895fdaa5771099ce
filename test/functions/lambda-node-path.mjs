// ES module resolution as the Lambda Node.js runtimes (18 and later) do it: bare specifiers that the usual walk up
// the node_modules folders does not find are looked up in the NODE_PATH folders, where Lambda keeps the AWS SDK v3
// (/var/runtime/node_modules). Plain node ignores NODE_PATH for import(); with this hook, what would resolve in
// Lambda resolves here and nothing more. Every specifier a file of the bundle resolves is reported to the invoker:
// the bare ones (the tests assert there is none: the bundle carries its SDK clients) and the bundle's own chunks
// it loaded. Registered by invoke-bundle.cjs.
import { isBuiltin } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

let port;
let bundleDirUrl;

export function initialize(data) {
  port = data.port;
  bundleDirUrl = data.bundleDirUrl;
}

const isBare = (specifier) => !/^(\.|\/|file:|data:|node:)/.test(specifier) && !isBuiltin(specifier);

/** Each NODE_PATH folder as a parent whose package lookup starts in that folder (a `…/node_modules` folder). */
function nodePathParents() {
  return (process.env.NODE_PATH ?? '')
    .split(path.delimiter)
    .filter(Boolean)
    .map((folder) => pathToFileURL(path.join(folder, 'lambda-node-path-parent.js')).href);
}

export async function resolve(specifier, context, nextResolve) {
  // Read before resolving: the default resolver may rewrite the context it is given.
  const fromBundle = context.parentURL?.startsWith(bundleDirUrl) ?? false;
  let resolved;
  try {
    resolved = await nextResolve(specifier, context);
  } catch (error) {
    if (!isBare(specifier) || error?.code !== 'ERR_MODULE_NOT_FOUND') throw error;
    for (const parentURL of nodePathParents()) {
      try {
        resolved = await nextResolve(specifier, { ...context, parentURL });
        break;
      } catch {
        // not in this folder: the next one
      }
    }
    if (!resolved) throw error;
  }
  if (fromBundle) port.postMessage({ specifier, url: resolved.url, bare: isBare(specifier) });
  return resolved;
}
