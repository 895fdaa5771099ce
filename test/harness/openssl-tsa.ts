/**
 * A real RFC 3161 TSA for tests: Debian's `openssl ts -query` / `-reply` with a TSA certificate the test issued.
 * `ess_cert_id_alg = sha256` makes openssl write signing-certificate-v2 (sha1 gives the old v1 attribute).
 * openssl refuses to sign with a certificate whose EKU is not critical or not only timeStamping, so those cases
 * are built with timestamp-token-builder.ts instead.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { run } from './processes';
import type { IssuedCertificate } from './x509-kit';

export const TEST_TSA_POLICY = '1.2.3.4.1';
export const BASELINE_POLICY = '0.4.0.2023.1.1';

export interface StampOptions {
  readonly signer: IssuedCertificate;
  /** Certificates besides the signer to put in the token (intermediates, root). */
  readonly chain?: readonly IssuedCertificate[];
  readonly hash?: 'sha256' | 'sha384' | 'sha512';
  /** Requested policy; the TSA's default (TEST_TSA_POLICY) when omitted. */
  readonly policy?: string;
  /** openssl's accuracy syntax (`secs:1, millisecs:500`); omitted means the token states no accuracy. */
  readonly accuracy?: string;
  readonly essCertIdAlg?: 'sha256' | 'sha1';
}

export class OpensslTsa {
  #count = 0;
  private constructor(private readonly dir: string) {}

  static async create(dir: string): Promise<OpensslTsa> {
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'serial'), '01\n');
    return new OpensslTsa(dir);
  }

  /** A TimeStampToken (DER ContentInfo) over `data`, timestamped now by openssl. */
  async stamp(data: Uint8Array, options: StampOptions): Promise<Uint8Array> {
    const id = ++this.#count;
    const file = (name: string) => path.join(this.dir, `${id}-${name}`);
    await writeFile(file('data'), data);
    await writeFile(file('signer.pem'), options.signer.pem);
    await writeFile(file('signer.key'), options.signer.privateKeyPem);
    await writeFile(
      file('chain.pem'),
      (options.chain ?? []).map((certificate) => `${certificate.pem.trim()}\n`).join(''),
    );
    const config = [
      '[tsa]',
      'default_tsa = tsa_config',
      '[tsa_config]',
      `serial = ${path.join(this.dir, 'serial')}`,
      'crypto_device = builtin',
      'signer_digest = sha256',
      `default_policy = ${TEST_TSA_POLICY}`,
      `other_policies = ${BASELINE_POLICY}`,
      'digests = sha256, sha384, sha512',
      ...(options.accuracy ? [`accuracy = ${options.accuracy}`] : []),
      'ordering = no',
      'tsa_name = no',
      'ess_cert_id_chain = no',
      `ess_cert_id_alg = ${options.essCertIdAlg ?? 'sha256'}`,
      '',
    ].join('\n');
    await writeFile(file('tsa.cnf'), config);
    const query = [
      'ts',
      '-query',
      '-data',
      file('data'),
      `-${options.hash ?? 'sha256'}`,
      '-cert',
      '-out',
      file('q.tsq'),
    ];
    if (options.policy) query.push('-tspolicy', options.policy);
    await run('openssl', query);
    await run('openssl', [
      'ts',
      '-reply',
      '-config',
      file('tsa.cnf'),
      '-queryfile',
      file('q.tsq'),
      '-signer',
      file('signer.pem'),
      '-inkey',
      file('signer.key'),
      '-chain',
      file('chain.pem'),
      '-token_out',
      '-out',
      file('token.der'),
    ]);
    return new Uint8Array(await readFile(file('token.der')));
  }

  /** `openssl ts -verify` of a token against `root`: the cross-check that a test-built token is a real one. */
  async opensslVerifies(token: Uint8Array, data: Uint8Array, root: IssuedCertificate): Promise<boolean> {
    const id = ++this.#count;
    const file = (name: string) => path.join(this.dir, `${id}-${name}`);
    await writeFile(file('token.der'), token);
    await writeFile(file('data'), data);
    await writeFile(file('root.pem'), root.pem);
    try {
      await run('openssl', [
        'ts',
        '-verify',
        '-token_in',
        '-in',
        file('token.der'),
        '-data',
        file('data'),
        '-CAfile',
        file('root.pem'),
      ]);
      return true;
    } catch {
      return false;
    }
  }
}
