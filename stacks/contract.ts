/**
 * The data layer's promise to the app layer: what the data stack exports and
 * the app stack reads through a StackReference, validated on both sides.
 */
import { z } from "zod";

export const CONTRACT_VERSION = 1 as const;

export const DataContract = z.object({
  version: z.literal(CONTRACT_VERSION),
  system: z.string(),
  environment: z.string(),
  /** Network key -> engine network name. */
  networks: z.record(z.string()),
  /** Service name -> how to reach it. */
  endpoints: z.record(
    z.object({
      engine: z.enum(["mariadb", "postgres", "redis", "minio"]),
      host: z.string(),
      port: z.number().int(),
      container: z.string(),
      databases: z.record(z.string()),
    }),
  ),
  /** Names of the secrets in the `secrets` output (the values are secret). */
  secretKeys: z.array(z.string()),
});
export type DataContract = z.infer<typeof DataContract>;

/** The data stack the app stack of `stack` reads. */
export function dataStackName(org: string, stack: string): string {
  return `${org}/shipyard-data/${stack}`;
}

export function checkContract(
  value: unknown,
  dataStack: string,
  expect: { system: string; environment: string },
): DataContract {
  if (value === undefined || value === null) {
    throw new Error(
      `the data stack ${dataStack} has no "contract" output: deploy the data layer first (npm run deploy -- up <blueprint> <env>, or pulumi up -C stacks/data -s <stack>)`,
    );
  }
  const parsed = DataContract.safeParse(value);
  if (!parsed.success) {
    throw new Error(
      `the data stack ${dataStack} exports a malformed contract (redeploy the data layer with this version):\n` +
        parsed.error.issues.map((i) => `  - contract.${i.path.join(".")}: ${i.message}`).join("\n"),
    );
  }
  const c = parsed.data;
  if (c.system !== expect.system || c.environment !== expect.environment) {
    throw new Error(
      `the data stack ${dataStack} belongs to ${c.system}/${c.environment}, but this app stack is ${expect.system}/${expect.environment}`,
    );
  }
  return c;
}
