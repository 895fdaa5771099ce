import { InvalidInputError } from '../shared/errors';
import { readFile } from '../shared/fs-promised';

/** Largest input file accepted (manifests and AdmissionReviews are far smaller). */
const MAX_INPUT_BYTES = 32 * 1024 * 1024;

/** Reads FILE, or standard input when FILE is `-`. */
export async function readInput(file: string): Promise<string> {
  if (file === '-') {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of process.stdin) {
      size += (chunk as Buffer).length;
      if (size > MAX_INPUT_BYTES) throw new InvalidInputError(`standard input is larger than ${MAX_INPUT_BYTES} bytes`);
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks).toString('utf8');
  }
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (error as Error).message;
    throw new InvalidInputError(`cannot read ${file}: ${why}`, { cause: error });
  }
}
