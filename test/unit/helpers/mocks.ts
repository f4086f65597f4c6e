import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";

export interface Recorded {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
  protect: boolean;
  deleteBeforeReplace?: boolean;
  replaceOnChanges?: string[];
  parent?: string;
}

/**
 * Pulumi mocks that record every resource with its options. A StackReference
 * reads `stackOutputs()` (with `secrets` a secret output), so a test can run
 * the app program on what it got from the data program.
 */
export function setupMocks(stackOutputs: () => Record<string, unknown> = () => ({})): {
  resources: Recorded[];
  transformation: pulumi.ResourceTransformation;
} {
  const resources: Recorded[] = [];
  const opts = new Map<string, Omit<Recorded, "type" | "name" | "inputs">>();
  pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        const o = opts.get(`${args.type}::${args.name}`) ?? { protect: false };
        resources.push({ type: args.type, name: args.name, inputs: args.inputs, ...o });
        if (args.type === "pulumi:pulumi:StackReference")
          return { id: args.name, state: { outputs: stackOutputs(), secretOutputNames: ["secrets"] } };
        const state: Record<string, unknown> = { ...args.inputs };
        if (args.type === "random:index/randomPassword:RandomPassword") state.result = `pw-${args.name}`;
        if (args.type === "command:local:Command") state.stdout = `${args.name}-stdout\n`;
        return { id: `${args.name}-id`, state };
      },
      // docker.getRegistryImage: a digest made from the name (stacks/app/images.ts asks for each registry image).
      call: (args) =>
        args.token === "docker:index/getRegistryImage:getRegistryImage"
          ? { sha256Digest: `sha256:${createHash("sha256").update(String(args.inputs.name)).digest("hex")}` }
          : {},
    },
    "shipyard",
    "unit",
    false,
    "organization",
  );
  const transformation: pulumi.ResourceTransformation = (a) => {
    opts.set(`${a.type}::${a.name}`, {
      protect: a.opts.protect ?? false,
      deleteBeforeReplace: (a.opts as { deleteBeforeReplace?: boolean }).deleteBeforeReplace,
      replaceOnChanges: (a.opts as { replaceOnChanges?: string[] }).replaceOnChanges,
      parent: a.opts.parent ? (a.opts.parent as unknown as { __name?: string }).__name : undefined,
    });
    return undefined;
  };
  return { resources, transformation };
}

/** Resolves an Output in tests. */
export function value<T>(o: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => o.apply(resolve));
}

/** Lets pending resource registrations finish. */
export const settle = () => new Promise((r) => setTimeout(r, 50));
