import { checkContract } from "../../stacks/contract";

const good = {
  version: 1,
  system: "demo",
  environment: "dev",
  networks: { data: "demo-dev-data" },
  endpoints: {
    mariadb: { engine: "mariadb", host: "mariadb", port: 3306, container: "demo-dev-mariadb", databases: {} },
  },
  secretKeys: ["mariadb/root"],
};

describe("data contract", () => {
  test("a valid contract passes", () => {
    expect(
      checkContract(good, "o/shipyard-data/demo-dev", { system: "demo", environment: "dev" }).networks.data,
    ).toBe("demo-dev-data");
  });
  test("a missing contract names the data stack to deploy first", () => {
    expect(() =>
      checkContract(undefined, "o/shipyard-data/demo-dev", { system: "demo", environment: "dev" }),
    ).toThrow(/data stack o\/shipyard-data\/demo-dev has no "contract" output: deploy the data layer first/);
  });
  test("a malformed contract names the field", () => {
    expect(() =>
      checkContract({ ...good, networks: "x" }, "o/shipyard-data/demo-dev", {
        system: "demo",
        environment: "dev",
      }),
    ).toThrow(/contract.networks: Expected object, received string/);
  });
  test("a contract of another system or environment is refused", () => {
    expect(() =>
      checkContract(good, "o/shipyard-data/demo-dev", { system: "demo", environment: "prod" }),
    ).toThrow(/belongs to demo\/dev, but this app stack is demo\/prod/);
  });
});

describe("data contract: the proxy's certificate volume", () => {
  const { loadStack } = jest.requireActual<typeof import("../../stacks/config")>("../../stacks/config");
  const { expectedContract } =
    jest.requireActual<typeof import("../../stacks/contract")>("../../stacks/contract");
  const cme = (environment: string, tls?: object) =>
    loadStack({
      "shipyard:blueprint": "cme",
      "shipyard:environment": environment,
      "shipyard:alerts": "off",
      ...(tls ? { "shipyard:tls": JSON.stringify(tls) } : {}),
      // Staging and prod need the relay CME's senders use (stacks/mailConfig.ts).
      "shipyard:mail": JSON.stringify({ host: "smtp.example.org", port: 587 }),
    }).system;

  test("carried when TLS is on, named like the data volumes", () => {
    const c = expectedContract(cme("prod", { email: "ops@example.org" }));
    expect(c.certVolume).toBe("cme-prod-proxy-certs");
    expect(
      checkContract(c, "o/shipyard-data/cme-prod", { system: "cme", environment: "prod", certVolume: true })
        .certVolume,
    ).toBe("cme-prod-proxy-certs");
  });
  test("absent when TLS is off", () => {
    expect(expectedContract(cme("dev"))).not.toHaveProperty("certVolume");
  });
  test("an app layer with TLS on refuses a data layer without the volume, naming shipyard:tls", () => {
    expect(() =>
      checkContract(good, "o/shipyard-data/demo-dev", {
        system: "demo",
        environment: "dev",
        certVolume: true,
      }),
    ).toThrow(
      /exports no certVolume, but this app stack's shipyard:tls is on: give the data layer the same shipyard:tls/,
    );
  });
});
