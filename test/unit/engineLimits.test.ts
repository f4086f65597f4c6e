/**
 * Values the engine refuses, or the upstream provider cannot read back as
 * written, are refused at the schema naming the field and the allowed form,
 * before any layer runs (issue 28, item 8).
 */
import { resolve } from "../../blueprints";
import { demo } from "../../blueprints/demo";
import { normalMountPath } from "../../blueprints/engineLimits";
import type { Blueprint } from "../../blueprints/schema";
import { upstreamCpus } from "../../components/shared/upstreamFormat";

const copy = (edit: (b: Blueprint) => void): Blueprint => {
  const b = JSON.parse(JSON.stringify(demo)) as Blueprint;
  edit(b);
  return b;
};
const resolveDev = (b: Blueprint) => resolve(b, { environment: "dev", imageSet: "upstream" });
const api = (b: Blueprint) => b.app.services.find((s) => s.name === "api")!;

describe("cpus as the upstream provider reads them back", () => {
  // Expected values printed by terraform-provider-docker v4.5.0's nanoInt64ToDecimalString
  // (helpers.go:133-149) run with Go 1.25 on these inputs.
  test.each([
    [1, "1.0"],
    [0.5, "0.5"],
    [0.25, "0.25"],
    [0.05, "0.1"],
    [0.01, "0.0"],
    [0.15, "0.15"],
    [10, "10."],
    [10.05, "10.1"],
    [2, "2.0"],
    [1.25, "1.25"],
    [0.095, "0.095"],
    [0.1, "0.1"],
    [20.25, "20.25"],
  ])("%d -> %s", (v, back) => expect(upstreamCpus(v)).toBe(back));
});

describe("refused at the schema", () => {
  test.each<[string, (b: Blueprint) => void, RegExp]>([
    [
      "a relative mount path",
      (b) => (api(b).volumes = [{ volume: "uploads", path: "data" }]),
      /volumes\.0\.path: "data" is relative; allowed: an absolute path/,
    ],
    [
      "a mount path of /",
      (b) => (api(b).volumes = [{ volume: "uploads", path: "/" }]),
      /volumes\.0\.path: "\/" is a system directory/,
    ],
    [
      "a mount path over /etc/",
      (b) => (api(b).volumes = [{ volume: "uploads", path: "/etc/" }]),
      /"\/etc\/" is a system directory/,
    ],
    [
      "a mount path with ..",
      (b) => (api(b).volumes = [{ volume: "uploads", path: "/data/../etc" }]),
      /contains "\.\."/,
    ],
    [
      "memory below 6 MiB",
      (b) => (api(b).memoryMb = 4),
      /memoryMb: the engine's smallest memory limit is 6 MiB; allowed: an integer ≥ 6/,
    ],
    [
      "cpus below 0.01",
      (b) => (api(b).cpus = 0.001),
      /cpus: 0\.001 is below the engine's smallest CPU limit; allowed: a number ≥ 0\.01/,
    ],
    [
      "cpus read back otherwise",
      (b) => (api(b).cpus = 0.05),
      /cpus: 0\.05 is read back by the docker provider as "0\.1"/,
    ],
    [
      "a route port of 70000",
      (b) => (api(b).routes = [{ host: "demo.{env}.localhost", port: 70000 }]),
      /routes\.0\.port: allowed: an integer from 1 to 65535/,
    ],
    [
      "a route port of 0",
      (b) => (api(b).routes = [{ host: "demo.{env}.localhost", port: 0 }]),
      /routes\.0\.port: allowed: an integer from 1 to 65535/,
    ],
    [
      "two secrets of one name",
      (b) => (b.data.secrets = [{ name: "session" }, { name: "session" }]),
      /data\.secrets\.1\.name: secret name "session" is used twice/,
    ],
  ])("%s", (_, edit, message) => {
    expect(() => resolveDev(copy(edit))).toThrow(message);
  });

  test("a memory limit per environment is checked in every environment", () => {
    expect(() => resolveDev(copy((b) => (api(b).memoryMb = { perEnv: { dev: 64, prod: 2 } })))).toThrow(
      /memoryMb.*6 MiB/,
    );
  });
});

describe("kept", () => {
  test("a mount path is normalised as the engine reads it back", () => {
    const sys = resolveDev(copy((b) => (api(b).volumes = [{ volume: "uploads", path: "/srv//uploads/" }])));
    const svc = sys.app.services.find((s) => s.name === "api")!;
    expect(svc.volumes).toEqual([{ volume: "uploads", path: "/srv/uploads" }]);
  });

  test.each([
    ["/var/lib/app", "/var/lib/app"],
    ["/a//b/./c/", "/a/b/c"],
    ["/etc/nginx/conf.d", "/etc/nginx/conf.d"],
  ])("normalMountPath(%s) = %s", (p, n) => expect(normalMountPath(p)).toBe(n));

  test("cpus 0.5 and memory 6 MiB pass", () => {
    expect(() => resolveDev(copy((b) => Object.assign(api(b), { cpus: 0.5, memoryMb: 6 })))).not.toThrow();
  });
});
