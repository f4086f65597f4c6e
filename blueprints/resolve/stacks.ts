/**
 * The environment's stack names (blueprint `stacks`, default `{system}-{env}`):
 * what the deploy command needs before it can read a stack's own settings, so
 * it is had without resolving the rest of the blueprint.
 */
import { parseBlueprint, resolveContext, type ResolveContext } from "./context";
import type { ResolveOptions } from "./types";

export function stacksOf(ctx: ResolveContext): { data: string; app: string } {
  return {
    data: ctx.fill(ctx.bp.stacks?.data ?? "{system}-{env}", "stacks.data"),
    app: ctx.fill(ctx.bp.stacks?.app ?? "{system}-{env}", "stacks.app"),
  };
}

/** The stack names of the blueprint `input` in `o.environment`, `o.systemName` applied. */
export function stackNames(input: unknown, o: ResolveOptions): { data: string; app: string } {
  return stacksOf(resolveContext(parseBlueprint(input), o));
}
