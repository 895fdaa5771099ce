import { readFileSync } from 'node:fs';
import path from 'node:path';

const POD_CREATE = path.join(__dirname, '..', '..', 'test', 'fixtures', 'admission', 'pod-create.json');

/**
 * The sample Pod CREATE AdmissionReview of the tests (test/fixtures/admission/pod-create.json) with its containers
 * replaced by `images` and no init containers: a real apiserver payload, only the images differ.
 */
export function podReviewBody(images: readonly string[], uid = '705ab4f5-6393-11e8-b7cc-42010a800002'): string {
  const review = JSON.parse(readFileSync(POD_CREATE, 'utf8'));
  review.request.uid = uid;
  review.request.object.spec.containers = images.map((image, index) => ({
    name: `c${index}`,
    image,
    imagePullPolicy: 'IfNotPresent',
  }));
  review.request.object.spec.initContainers = [];
  return JSON.stringify(review);
}
