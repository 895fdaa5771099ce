import type { Command } from 'commander';
import { EXIT, runCommand } from '../exit';
import { readInput } from '../input';

interface ImagesOptions {
  json?: boolean;
}

export function registerImages(program: Command): void {
  program
    .command('images')
    .description(
      'print the images admission would check, one a line: containers, initContainers, ephemeralContainers, image volumes',
    )
    .argument(
      '<file>',
      'Kubernetes manifests (YAML or JSON, multi-document, List) or an AdmissionReview; - for standard input',
    )
    .option('--json', 'print {"images": [{image, path, pointer, containerName, containerKind, changed}]} instead')
    .addHelpText(
      'after',
      [
        '',
        'Images are printed as written. Annotations (e.g. last-applied-configuration), status and, in an',
        'AdmissionReview, oldObject are never read for images; a DELETE review has none.',
        '',
        'Exit codes: 0 done, 2 unreadable or invalid input.',
        'Examples:',
        '  notary-gate images test/fixtures/admission/pod-create.json',
        '  kubectl get deploy -o yaml | notary-gate images -',
      ].join('\n'),
    )
    .action((file: string, options: ImagesOptions) => runCommand(() => images(file, options)));
}

async function images(file: string, options: ImagesOptions): Promise<number> {
  const { imagesFromManifests } = await import('../../shared/admission/manifests');
  const found = imagesFromManifests(await readInput(file));
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ images: found }, null, 2)}\n`);
  } else {
    process.stdout.write(found.map((image) => `${image.image}\n`).join(''));
  }
  return EXIT.ok;
}
