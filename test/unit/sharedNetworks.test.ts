import * as fs from "node:fs";
import * as path from "node:path";
import { BLUEPRINTS, ENVIRONMENTS, resolve } from "../../blueprints";

/**
 * scripts/test.sh removes, at the suite's end, the shared networks (`external: true`) that the
 * tests made: its list must name every such network of every blueprint and environment.
 */
it("scripts/test.sh knows every network a blueprint shares between systems", () => {
  const shared = new Set<string>();
  for (const bp of Object.values(BLUEPRINTS))
    for (const env of ENVIRONMENTS) {
      if (!(bp.environments as string[]).includes(env)) continue;
      const system = resolve(bp, { environment: env, imageSet: "local" });
      for (const n of system.data.networks) if (n.external) shared.add(n.name ?? n.key);
    }
  const script = fs.readFileSync(path.resolve(__dirname, "../../scripts/test.sh"), "utf8");
  const listed = /^SHARED_NETWORKS=\(([^)]*)\)$/m.exec(script)?.[1].trim().split(/\s+/) ?? [];
  expect(shared.size).toBeGreaterThan(0);
  expect([...listed].sort()).toEqual([...shared].sort());
});
