import { parseConfig, loadStack } from "../../stacks/config";

const ok = { "shipyard:blueprint": "demo", "shipyard:environment": "dev" };

describe("stack config", () => {
  test("accepts a minimal config and applies defaults", () => {
    expect(parseConfig(ok)).toMatchObject({
      blueprint: "demo",
      environment: "dev",
      imageSet: "upstream",
      listenAddress: "127.0.0.1",
    });
  });
  test("a missing field is named", () => {
    expect(() => parseConfig({ "shipyard:blueprint": "demo" })).toThrow(/shipyard:environment: required/);
  });
  test("an unknown environment lists the allowed ones", () => {
    expect(() => parseConfig({ ...ok, "shipyard:environment": "qa" })).toThrow(
      /shipyard:environment: .*'dev' \| 'staging' \| 'prod'.*received 'qa'/,
    );
  });
  test("an unknown blueprint lists the registered ones", () => {
    expect(() => parseConfig({ ...ok, "shipyard:blueprint": "nope" })).toThrow(
      /"nope" is not a blueprint; allowed: demo/,
    );
  });
  test("a wrong type is named", () => {
    expect(() => parseConfig({ ...ok, "shipyard:httpPort": "eighty" })).toThrow(
      /shipyard:httpPort: Expected number/,
    );
    expect(() => parseConfig({ ...ok, "shipyard:listenAddress": "localhost" })).toThrow(
      /shipyard:listenAddress: Invalid ip/,
    );
  });
  test("an unknown key lists the allowed keys", () => {
    expect(() => parseConfig({ ...ok, "shipyard:replicaz": "2" })).toThrow(
      /shipyard:replicaz: unknown key; allowed: shipyard:blueprint/,
    );
  });
  test("every problem is reported at once", () => {
    try {
      parseConfig({ "shipyard:environment": "qa", "shipyard:imageSet": "mine" });
      throw new Error("expected an error");
    } catch (e) {
      const m = (e as Error).message;
      expect(m).toMatch(/shipyard:blueprint: required/);
      expect(m).toMatch(/shipyard:environment/);
      expect(m).toMatch(/shipyard:imageSet: .*'upstream' \| 'local'/);
    }
  });
  test("an image override for a key the blueprint lacks is refused", () => {
    expect(() => loadStack({ ...ok, "shipyard:images": JSON.stringify({ postgres: "x" }) })).toThrow(
      /shipyard:images has key "postgres"; allowed: mariadb, redis, app, nginx/,
    );
  });
});
