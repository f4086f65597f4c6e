/**
 * The kinds of failure the deploy command tells apart when it prints one
 * (cli/main.ts): a refusal is a decision, printed whole; an explained failure
 * carries the engine's account of it before Pulumi's message. A leaf: the
 * checks and the explainer import it, it imports nothing.
 */

/** A refusal is a decision, not a failure: it carries its own explanation (the data guard, the policy check). */
export class Refusal extends Error {}

/** The policy pack blocks the deploy (cli/checks/policies.ts). */
export class PolicyRefusal extends Refusal {}

/** The data guard refuses: data would be lost without a backup (cli/checks/dataGuard.ts). */
export class DataGuardError extends Refusal {}

/** `destroy` would delete protected resources (cli/checks/protection.ts). */
export class ProtectedError extends Error {}

/** A failed run, with the engine's explanation before Pulumi's own message. */
export class ExplainedError extends Error {
  constructor(
    readonly explanation: string,
    readonly original: unknown,
  ) {
    const msg = original instanceof Error ? original.message : String(original);
    super(`${explanation}\n${msg}`);
    this.name = "ExplainedError";
  }
}
