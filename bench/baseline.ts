/**
 * BASELINE, NOT PRODUCT CODE. The seed's approach, kept only so the benchmark can compare against it: for every
 * image of every admission, fetch a pull token, fetch targets.json, and admit when some target's base64 sha256
 * equals the image digest. No cache, no signature check, no root, no snapshot, no expiry: a Notary server (or
 * anyone in the middle) that serves an unsigned targets.json gets anything admitted. Never import this from
 * functions/, shared/ or cli/.
 *
 * It is given every advantage the product has on the network: keep-alive connections and all images of an
 * admission in parallel.
 */
import http from 'node:http';
import https from 'node:https';

export interface BaselineServer {
  /** Notary base URL, e.g. https://127.0.0.1:4443 */
  readonly server: string;
  /** The token endpoint the server's challenge names (known up front, as the seed configured it). */
  readonly realm: string;
  readonly service: string;
  readonly ca: string;
}

export class BaselineChecker {
  readonly #httpsAgent: https.Agent;
  readonly #httpAgent = new http.Agent({ keepAlive: true });

  constructor(private readonly config: BaselineServer) {
    this.#httpsAgent = new https.Agent({ keepAlive: true, ca: config.ca });
  }

  /** Allowed when every `name@sha256:<hex>` image has its digest in its repository's targets.json. */
  async admit(images: readonly string[]): Promise<boolean> {
    const verdicts = await Promise.all(images.map((image) => this.#imageListed(image)));
    return verdicts.every(Boolean);
  }

  close(): void {
    this.#httpsAgent.destroy();
    this.#httpAgent.destroy();
  }

  async #imageListed(image: string): Promise<boolean> {
    const [name, hex] = image.split('@sha256:');
    if (!name || !hex) return false;
    const realm = new URL(this.config.realm);
    realm.searchParams.set('service', this.config.service);
    realm.searchParams.set('scope', `repository:${name}:pull`);
    const { token } = JSON.parse(await this.#get(realm.href)) as { token: string };
    const targets = JSON.parse(
      await this.#get(`${this.config.server}/v2/${name}/_trust/tuf/targets.json`, { authorization: `Bearer ${token}` }),
    ) as { signed: { targets: Record<string, { hashes: { sha256: string } }> } };
    const wanted = Buffer.from(hex, 'hex').toString('base64');
    return Object.values(targets.signed.targets).some((target) => target.hashes.sha256 === wanted);
  }

  #get(url: string, headers: Record<string, string> = {}): Promise<string> {
    const secure = url.startsWith('https:');
    const client = secure ? https : http;
    return new Promise((resolve, reject) => {
      const request = client.get(url, { agent: secure ? this.#httpsAgent : this.#httpAgent, headers }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          response.statusCode === 200
            ? resolve(Buffer.concat(chunks).toString('utf8'))
            : reject(new Error(`${url} answered ${response.statusCode}`)),
        );
        response.on('error', reject);
      });
      request.setTimeout(5_000, () => request.destroy(new Error(`${url} timed out`)));
      request.on('error', reject);
    });
  }
}
