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
