import { setupMocks, settle, value } from "./helpers/mocks";

const mocks = setupMocks();
import * as pulumi from "@pulumi/pulumi";
import { DatabaseStack } from "../../components/database";
import type { DatabaseStackArgs } from "../../components/database";

const args = (protect: boolean): DatabaseStackArgs => ({
  system: "brandclub",
  environment: protect ? "prod" : "dev",
  networks: [{ key: "network", internal: false }, { key: "mariadb" }],
  servers: [
    {
      name: "mariadb",
      engine: "mariadb",
      image: "mariadb:10.6",
      databases: [{ name: "brandclub_prod" }],
      networks: ["mariadb"],
      bufferPoolMb: 1024,
    },
  ],
  caches: [{ name: "redis-queue", image: "redis:7", appendOnly: true, networks: ["network"] }],
  protect,
});

describe("DatabaseStack", () => {
  test("creates networks, volumes, servers and caches named <system>-<env>-<purpose>, protected in prod", async () => {
    mocks.resources.length = 0;
    const db = new DatabaseStack("brandclub", args(true), { transformations: [mocks.transformation] });
    await value(db.networks);
    await settle();
    const byType = (t: string) => mocks.resources.filter((r) => r.type === t);
    expect(
      byType("docker:index/network:Network")
        .map((r) => r.inputs.name)
        .sort(),
    ).toEqual(["brandclub-prod-mariadb", "brandclub-prod-network"]);
    expect(
      byType("docker:index/network:Network").find((r) => r.inputs.name === "brandclub-prod-mariadb")?.inputs
        .internal,
    ).toBe(true);
    const volumes = byType("docker:index/volume:Volume");
    expect(volumes.map((r) => r.inputs.name).sort()).toEqual([
      "brandclub-prod-mariadb-data",
      "brandclub-prod-redis-queue-data",
    ]);
    for (const v of volumes) expect(v.protect).toBe(true);
    const containers = byType("docker:index/container:Container");
    expect(containers.map((r) => r.inputs.name).sort()).toEqual([
      "brandclub-prod-mariadb",
      "brandclub-prod-redis-queue",
    ]);
    for (const c of containers) {
      expect(c.protect).toBe(true);
      expect(c.inputs.ports).toBeUndefined(); // no data port published
      expect(c.inputs.healthcheck).toBeDefined();
    }
    const mariadb = containers.find((c) => c.inputs.name === "brandclub-prod-mariadb")!;
    expect(mariadb.inputs.command).toEqual(["--innodb-buffer-pool-size=1024M"]);
    // The root password reaches the server as a file, not an environment value.
    expect((mariadb.inputs.envs as string[]).join(" ")).not.toMatch(/PASSWORD=/);
    expect(mariadb.inputs.envs as string[]).toContain(
      "MARIADB_ROOT_PASSWORD_FILE=/run/secrets/mariadb-root-password",
    );
    const redis = containers.find((c) => c.inputs.name === "brandclub-prod-redis-queue")!;
    expect(redis.inputs.networksAdvanced).toEqual([
      { name: "brandclub-prod-network", aliases: ["redis-queue"] },
    ]);
    // Every child is parented to the component.
    for (const r of mocks.resources.filter((r) => r.type !== "shipyard:data:DatabaseStack"))
      expect(r.parent).toBeDefined();
    expect(byType("command:local:Command")).toHaveLength(1);
  });

  test("volumes are not protected outside prod", async () => {
    mocks.resources.length = 0;
    new DatabaseStack("bc-dev", args(false), { transformations: [mocks.transformation] });
    await settle();
    for (const v of mocks.resources.filter((r) => r.type === "docker:index/volume:Volume"))
      expect(v.protect).toBe(false);
  });

  test("appVolumes (the proxy's certificates): kept by the data layer, named and protected like the data volumes", async () => {
    for (const protect of [true, false]) {
      mocks.resources.length = 0;
      const db = new DatabaseStack(
        "brandclub",
        { ...args(protect), appVolumes: [{ purpose: "proxy-certs", component: "proxy" }] },
        { transformations: [mocks.transformation] },
      );
      const env = protect ? "prod" : "dev";
      expect(await value(db.appVolumes["proxy-certs"])).toBe(`brandclub-${env}-proxy-certs`);
      await settle();
      const v = mocks.resources.find(
        (r) => r.type === "docker:index/volume:Volume" && r.inputs.name === `brandclub-${env}-proxy-certs`,
      )!;
      expect(v.protect).toBe(protect);
      expect(v.inputs.labels).toEqual(
        expect.arrayContaining([
          { label: "io.shipyard.layer", value: "data" },
          { label: "io.shipyard.component", value: "proxy" },
          { label: "io.shipyard.role", value: "proxy-certs" },
        ]),
      );
    }
    expect(
      () =>
        new DatabaseStack("brandclub", {
          ...args(false),
          appVolumes: [{ purpose: "mariadb-data", component: "proxy" }],
        }),
    ).toThrow(/appVolumes has "mariadb-data" twice, or a data service's volume has that name/);
  });

  test("secrets output is secret and names every credential", async () => {
    const db = new DatabaseStack("bc-secrets", { ...args(false), system: "bcs" });
    expect(await pulumi.isSecret(db.secrets)).toBe(true);
    expect(Object.keys(await value(db.secrets)).sort()).toEqual([
      "mariadb/brandclub_prod",
      "mariadb/root",
      "redis-queue",
    ]);
  });

  test("rejects bad input with the field and the allowed values", () => {
    expect(() => new DatabaseStack("x", { ...args(false), system: "Bad_Name" })).toThrow(
      /system is "Bad_Name"/,
    );
    expect(
      () =>
        new DatabaseStack("y", {
          ...args(false),
          servers: [{ ...args(false).servers[0], networks: ["nope"] }],
        }),
    ).toThrow(/mariadb.networks names "nope", which is not a data network; allowed: network, mariadb/);
    expect(
      () =>
        new DatabaseStack("z", {
          ...args(false),
          servers: [{ ...args(false).servers[0], databases: [{ name: "drop table" }] }],
        }),
    ).toThrow(/databases\[\].name is "drop table"/);
  });
});

describe("DatabaseStack: an external network in Swarm mode", () => {
  test("is made an attachable overlay if missing, and its services attach by the ID the command prints", async () => {
    mocks.resources.length = 0;
    const db = new DatabaseStack(
      "cme",
      {
        system: "cme",
        environment: "dev",
        networks: [{ key: "external", name: "external", external: true }],
        servers: [{ name: "db", engine: "postgres", image: "postgres:16", databases: [{ name: "cme" }] }],
        swarm: { endpointMode: "dnsrr", publishMode: "host" },
      },
      { transformations: [mocks.transformation] },
    );
    await value(db.networkIds);
    await settle();
    const ensure = mocks.resources.find(
      (r) => r.type === "command:local:Command" && r.name === "cme-external-external",
    )!;
    expect(ensure.inputs.create).toBe(
      "docker network inspect --format '{{.Id}}' external 2>/dev/null || docker network create --driver overlay --attachable external",
    );
    // The ID is what the command printed (the mock prints `<name>-stdout`), not the name.
    expect((await value(db.networkIds)).external).toBe("cme-external-external-stdout");
    expect(await value(db.networks)).toEqual({ external: "external" });
  });
});

describe("DatabaseStack: a network's waiver", () => {
  // Issue 28 item 4: upstream a network's or volume's labels force a replacement (delete-first
  // under a fixed name), so a waiver must not reach any engine object of the data layer. The
  // same stack with and without a waiver declares the same inputs for every resource.
  test("changes no input of any network, volume or data container", async () => {
    const declared = async (waivers: DatabaseStackArgs["networks"][number]["waivers"]) => {
      mocks.resources.length = 0;
      const a = args(true);
      const db = new DatabaseStack(
        "brandclub",
        { ...a, networks: [{ ...a.networks[0], waivers }, a.networks[1]] },
        { transformations: [mocks.transformation] },
      );
      await value(db.networks);
      await settle();
      return mocks.resources
        .filter((r) => /network:Network|volume:Volume|container:Container/.test(r.type))
        .map((r) => JSON.stringify({ type: r.type, name: r.name, inputs: r.inputs, protect: r.protect }))
        .sort();
    };
    const without = await declared(undefined);
    const withWaiver = await declared([
      { policy: "data-networks-internal", reason: "shared with the proxy", expires: "2027-05-31" },
    ]);
    expect(without.length).toBe(6);
    expect(withWaiver).toEqual(without);
  });
});
