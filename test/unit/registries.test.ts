/**
 * Registry settings (stacks/registries.ts): shipyard:registries and the secret
 * shipyard:registryPasswords are checked before any resource, with messages naming the field;
 * which images are looked up in their registry; the provider's registryAuth as upstream reads it.
 */
import { parseConfig } from "../../stacks/config";
import {
  registryAuth,
  registryOf,
  registryProblems,
  resolvedInRegistry,
  HELD_SECRET,
} from "../../stacks/registries";
import { tryLoad } from "../../cli/target/plan";
import { loadStack as loadSystem } from "../../stacks/config";
import { localOnlyImages } from "../../stacks/app/images";

const base = { "shipyard:blueprint": "demo", "shipyard:environment": "dev", "shipyard:imageSet": "local" };
const registries = (v: unknown) => ({ ...base, "shipyard:registries": JSON.stringify(v) });
/** What the app layer checks before any resource (stacks/app/images.ts). */
const loadStack = (raw: Record<string, string>) => {
  const c = parseConfig(raw);
  const problems = registryProblems(c.registries, c.registryPasswords);
  if (problems.length) throw new Error(problems.join("\n"));
  return c;
};

describe("shipyard:registries and shipyard:registryPasswords", () => {
  test("a registry with a user and its password parses; the default is none", () => {
    expect(parseConfig(base).registries).toEqual([]);
    const c = parseConfig({
      ...registries([{ address: "http://127.0.0.1:5000", username: "ci" }]),
      "shipyard:registryPasswords": JSON.stringify({ "http://127.0.0.1:5000": "s3cret" }),
    });
    expect(c.registries).toEqual([{ address: "http://127.0.0.1:5000", username: "ci" }]);
    expect(c.registryPasswords).toEqual({ "http://127.0.0.1:5000": "s3cret" });
  });

  test("bad entries are refused naming the field and the allowed values", () => {
    expect(() => parseConfig(registries([{ address: "ftp://x" }]))).toThrow(
      /shipyard:registries\.0\.address: is not allowed; allowed: a registry host\[:port\]/,
    );
    expect(() => parseConfig(registries([{ address: "ghcr.io", user: "x" }]))).toThrow(
      /shipyard:registries\.0\.user: unknown key; allowed: shipyard:registries\.0\.address, shipyard:registries\.0\.username/,
    );
    expect(() => parseConfig(registries({ address: "ghcr.io" }))).toThrow(
      /shipyard:registries: Expected array/,
    );
    expect(() =>
      parseConfig({
        ...registries([{ address: "ghcr.io" }]),
        "shipyard:registryPasswords": '{"ghcr.io":""}',
      }),
    ).toThrow(/shipyard:registryPasswords\.ghcr\.io: empty; set the registry's password/);
  });

  test("a user without a password, a password without a registry and a registry twice are refused before any resource", () => {
    expect(() => loadStack(registries([{ address: "ghcr.io", username: "bot" }]))).toThrow(
      /shipyard:registryPasswords: required \(a secret\) for shipyard:registries\.0 \(ghcr\.io, user bot\); set it with: pulumi config set --secret shipyard:registryPasswords/,
    );
    expect(() =>
      loadStack({
        ...registries([{ address: "ghcr.io", username: "bot" }]),
        "shipyard:registryPasswords": JSON.stringify({ "quay.io": "x" }),
      }),
    ).toThrow(
      /shipyard:registryPasswords\.quay\.io: not a registry of shipyard:registries; allowed: ghcr\.io[\s\S]*has no password for shipyard:registries\.0/,
    );
    expect(() => loadStack(registries([{ address: "ghcr.io" }, { address: "https://ghcr.io" }]))).toThrow(
      /shipyard:registries\.1\.address: ghcr\.io is listed twice/,
    );
  });

  test("the checks before a run see a held secret as set, never its value", () => {
    const loaded = tryLoad({
      ...registries([{ address: "ghcr.io", username: "bot" }]),
      "shipyard:registryPasswords": '{"secure":"v1:abc"}',
    });
    expect("problem" in loaded).toBe(false);
    if (!("problem" in loaded)) expect(loaded.config.registryPasswords).toBe(HELD_SECRET);
  });

  test("messages never carry a password", () => {
    let message = "";
    try {
      loadStack({
        ...registries([{ address: "ghcr.io", username: "bot" }]),
        "shipyard:registryPasswords": JSON.stringify({ "quay.io": "hunter2-secret" }),
      });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain("shipyard:registryPasswords");
    expect(message).not.toContain("hunter2-secret");
  });
});

describe("images and registryAuth", () => {
  test("local stand-ins and digest-pinned images are not looked up; every other image is", () => {
    expect(resolvedInRegistry("shipyard/app:bookworm")).toBe(false);
    expect(resolvedInRegistry("ghcr.io/example/demo:main@sha256:" + "a".repeat(64))).toBe(false);
    expect(resolvedInRegistry("ghcr.io/example/demo:main")).toBe(true);
    expect(resolvedInRegistry("redis:7")).toBe(true);
  });

  test("the registry of an image as upstream parses it", () => {
    expect(registryOf("127.0.0.1:5000/demo/app:main")).toBe("127.0.0.1:5000");
    expect(registryOf("ghcr.io/example/demo:main")).toBe("ghcr.io");
    expect(registryOf("localhost/app")).toBe("localhost");
    expect(registryOf("prom/prometheus:v2")).toBe("registry-1.docker.io");
    expect(registryOf("redis:7")).toBe("registry-1.docker.io");
  });

  test("registryAuth: user and password by address; no user asks without credentials (authDisabled)", () => {
    expect(
      registryAuth([{ address: "http://127.0.0.1:5000", username: "ci" }, { address: "ghcr.io" }], {
        "127.0.0.1:5000": "pw",
      }),
    ).toEqual([
      { address: "http://127.0.0.1:5000", username: "ci", password: "pw" },
      { address: "ghcr.io", authDisabled: true },
    ]);
  });

  test("the app services' local-only images (said so when the layer runs); none once pinned by digest or from a registry", () => {
    const { system } = loadSystem(base);
    expect(localOnlyImages(system, {})).toEqual(["shipyard/app:bookworm"]);
    const pin = `127.0.0.1:5000/demo/app:main@sha256:${"a".repeat(64)}`;
    expect(localOnlyImages(system, { "shipyard/app:bookworm": pin })).toEqual([]);
    const upstream = loadSystem({ ...base, "shipyard:imageSet": "upstream" }).system;
    expect(localOnlyImages(upstream, {})).toEqual([]);
  });
});
