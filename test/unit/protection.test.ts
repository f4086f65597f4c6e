import type { Stack } from "@pulumi/pulumi/automation";
import * as fs from "node:fs";
import * as path from "node:path";
import { protectedResources } from "../../cli/checks/protection";
import { useTempFileBackend } from "./helpers/fileBackend";

const dataDir = path.join(__dirname, "../../stacks/data");

/** A stack whose `stack export` answers `resources`, counting its calls. */
function fakeStack(name: string, resources: unknown[]): { stack: Stack; exports: () => number } {
  let n = 0;
  const stack = {
    name,
    exportStack: async () => {
      n++;
      return { version: 3, deployment: { resources } };
    },
  } as unknown as Stack;
  return { stack, exports: () => n };
}

describe("destroy's check for protected resources", () => {
  const backend = useTempFileBackend("shipyard-protect-");

  test("reads the file backend's state file, without a `stack export` run", async () => {
    const stacks = path.join(backend(), ".pulumi", "stacks", "shipyard-data");
    fs.mkdirSync(stacks, { recursive: true });
    const resources = [
      {
        urn: "urn:pulumi:x::shipyard-data::docker:index/volume:Volume::x-db",
        protect: true,
        outputs: { name: "x-prod-db" },
      },
      {
        urn: "urn:pulumi:x::shipyard-data::docker:index/network:Network::x-net",
        outputs: { name: "x-prod-net" },
      },
      { urn: "urn:pulumi:x::shipyard-data::docker:index/container:Container::x-mariadb", protect: true },
    ];
    fs.writeFileSync(
      path.join(stacks, "x-prod.json"),
      JSON.stringify({ checkpoint: { latest: { resources } } }),
    );
    const { stack, exports } = fakeStack("x-prod", []);
    expect(await protectedResources(stack, dataDir)).toEqual(["x-prod-db", "x-mariadb"]);
    expect(exports()).toBe(0);
  });

  test("asks `stack export` when the backend holds no state file for the stack", async () => {
    const { stack, exports } = fakeStack("y-prod", [
      {
        urn: "urn:pulumi:y::shipyard-data::docker:index/volume:Volume::y-db",
        protect: true,
        outputs: { name: "y-prod-db" },
      },
    ]);
    expect(await protectedResources(stack, dataDir)).toEqual(["y-prod-db"]);
    expect(exports()).toBe(1);
  });
});
