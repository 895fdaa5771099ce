import { notaryModule } from '../notary/module';
import { notationModule } from '../notation/module';
import type { FormatModule } from '../verify/format';

/**
 * Every signature format notary-gate knows, in the order the engine lists them in combined verdicts. The policy
 * schema, the loader, the CDK staging and validation, and the runtime's verifiers all loop over this list; a new
 * format is a module (shared/verify/format.ts says how to write one) and one more entry here.
 */
export const FORMAT_MODULES: readonly FormatModule[] = Object.freeze([notaryModule, notationModule]);
