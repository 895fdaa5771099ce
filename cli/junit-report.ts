import type { CheckedImage } from '../shared/decision/types';
import { describeObject, type ImageSource } from './check-sources';

/**
 * `check --junit FILE`: the verdicts as a JUnit XML report, one test suite per object (or one for the images given
 * on the command line), one test case per image, a `<failure>` per denial with its code and reason. JUnit rather
 * than SARIF because it is what CI systems read without a plugin (GitLab's `artifacts:reports:junit`, Jenkins,
 * Azure Pipelines, CircleCI, Buildkite, GitHub through the common test-report actions) and it shows a denial as
 * a failed test naming the object and field; SARIF is read by code-scanning tools and wants source lines, which a
 * rendered manifest does not have.
 */
export function junitReport(entries: readonly { source: ImageSource; checked: CheckedImage }[]): string {
  const suites = new Map<string, { source: ImageSource; checked: CheckedImage }[]>();
  for (const entry of entries) {
    const name = entry.source.object ? describeObject(entry.source.object) : 'images';
    suites.set(name, [...(suites.get(name) ?? []), entry]);
  }
  const failures = entries.filter((entry) => !entry.checked.allowed).length;
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="notary-gate check" tests="${entries.length}" failures="${failures}">`,
  ];
  for (const [name, cases] of suites) {
    const suiteFailures = cases.filter((entry) => !entry.checked.allowed).length;
    lines.push(`  <testsuite name="${xml(name)}" tests="${cases.length}" failures="${suiteFailures}">`);
    for (const { source, checked } of cases) {
      const caseName = source.path ? `${source.path}: ${checked.image}` : checked.image;
      const open = `    <testcase classname="${xml(name)}" name="${xml(caseName)}"`;
      if (checked.allowed) {
        lines.push(`${open}/>`);
      } else {
        lines.push(`${open}>`);
        lines.push(
          `      <failure type="${xml(checked.code)}" message="${xml(`${checked.code}: ${checked.reason}`)}"/>`,
        );
        lines.push('    </testcase>');
      }
    }
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return `${lines.join('\n')}\n`;
}

/** XML attribute text: the five special characters, and control characters XML 1.0 cannot hold at all. */
function xml(text: string): string {
  return [...text]
    .filter((char) => {
      const code = char.charCodeAt(0);
      return code >= 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;
    })
    .join('')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}
