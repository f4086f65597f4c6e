/**
 * Every value that ends up in rendered text or engine calls is refused at the
 * schema (blueprints) or the stack config (--set), naming the field and the
 * allowed form; two services claiming one host and path are refused too.
 */
import { BLUEPRINTS, resolve } from "../../blueprints";
import { demo } from "../../blueprints/demo";
import type { Blueprint } from "../../blueprints/schema";
import { FORMS } from "../../components/shared/grammar";
import { parseConfig } from "../../stacks/config";

const copy = (edit: (b: Blueprint) => void): Blueprint => {
  const b = JSON.parse(JSON.stringify(demo)) as Blueprint;
  edit(b);
  return b;
};
const resolveDev = (b: Blueprint, environment: "dev" | "prod" = "dev") =>
  resolve(b, { environment, imageSet: "upstream" });

describe("value forms", () => {
  test.each([
    ["demo.dev.localhost", true],
    ["*.acme.localhost", true],
    ["localhost", true],
    ["a-b.example", true],
    ["demo.localhost; return 200 pwned", false],
    ["demo.localhost\nserver_name x", false],
    ["-demo.localhost", false],
    ["demo..localhost", false],
    ["demo.*.localhost", false],
    [`${"a".repeat(64)}.localhost`, false],
    ["", false],
  ])("host name %j: %s", (v, ok) => expect(FORMS.hostName.test(v)).toBe(ok));

  test.each([
    ["/", true],
    ["/api/", true],
    ["/v1.2/items-x_y~z", true],
    ["api", false],
    ["/api { return 200; }", false],
    ["/api;", false],
    ["/a b", false],
    ["/a'b", false],
    ['/a"b', false],
    ["/$host", false],
  ])("route path %j: %s", (v, ok) => expect(FORMS.routePath.test(v)).toBe(ok));

  test.each([
    ["X-Robots-Tag", true],
    ["Strict-Transport-Security", true],
    ["X Bad", false],
    ["X-Bad:", false],
    ["X-Bad\r\nSet-Cookie", false],
    ["-Server", false],
    ["", false],
  ])("header name %j: %s", (v, ok) => expect(FORMS.headerName.test(v)).toBe(ok));

  test.each([
    ["max-age=31536000; includeSubDomains", true],
    ["default-src 'self'", true],
    ['say "hi"', true],
    ["a\r\nSet-Cookie: x=1", false],
    ["a\nb", false],
    ["$request_uri", false],
    ["{http.request.host}", false],
    ["back\\slash", false],
  ])("header value %j: %s", (v, ok) => expect(FORMS.headerValue.test(v)).toBe(ok));

  test.each([
    ["nginx:1.27", true],
    ["ghcr.io/example/demo:main", true],
    ["shipyard/app:bookworm", true],
    ["localhost:5000/team/app:1.0", true],
    ["registry.example.com:443/a/b__c/d-e.f:v1_2", true],
    [`app@sha256:${"a".repeat(64)}`, true],
    [`ghcr.io/x/y:1@sha256:${"0".repeat(64)}`, true],
    ["minio/minio:RELEASE.2025-02-07T23-21-09Z", true],
    ["ghcr.io/example/demo main", false],
    ["ghcr.io/Example/demo:main", false],
    ["demo:", false],
    ["demo:-tag", false],
    [":tag", false],
    ["demo:main; rm -rf /", false],
    ["demo@sha256:short", false],
    [`demo:${"t".repeat(129)}`, false],
    ["", false],
  ])("image reference %j: %s", (v, ok) => expect(FORMS.imageRef.test(v)).toBe(ok));
});

describe("blueprint schema: fields that reach rendered text", () => {
  test("a route host with nginx directives is refused, naming the field and the form", () =>
    expect(() =>
      resolveDev(
        copy((b) => {
          b.app.services[1].routes = [{ host: "demo.localhost; return 200 pwned" }];
        }),
      ),
    ).toThrow(
      /app\.services\.1\.routes\.0\.host: "demo\.localhost; return 200 pwned" is not allowed; allowed: a host name/,
    ));

  test("a host that is only bad once a variable is filled is refused after filling", () =>
    expect(() =>
      resolveDev(
        copy((b) => {
          b.vars = { zone: "x; return 200 pwned" };
          b.app.services[1].routes = [{ host: "demo.{zone}.localhost" }];
        }),
      ),
    ).toThrow(
      /app\.services\[1\]\.routes\[0\]\.host: "demo\.x; return 200 pwned\.localhost" is not allowed/,
    ));

  test("a route path outside the safe characters is refused", () =>
    expect(() =>
      resolveDev(
        copy((b) => {
          b.app.services[0].routes = [{ host: "demo.localhost", path: "/api { return 200; }" }];
        }),
      ),
    ).toThrow(/app\.services\.0\.routes\.0\.path: .* allowed: a path starting with \//));

  test("an image reference with a space is refused", () =>
    expect(() =>
      resolveDev(
        copy((b) => {
          b.images.app.upstream = "ghcr.io/example/demo main";
        }),
      ),
    ).toThrow(
      /images\.app\.upstream: "ghcr\.io\/example\/demo main" is not allowed; allowed: a Docker image reference/,
    ));

  test("per-environment image references are checked too", () =>
    expect(() =>
      resolveDev(
        copy((b) => {
          b.images.app.upstream = { perEnv: { dev: "ghcr.io/example/demo:dev", default: "Demo:main" } };
        }),
      ),
    ).toThrow(/images\.app\.upstream\.perEnv\.default: "Demo:main" is not allowed/));

  test("an image reference is checked after its variables are filled", () =>
    expect(() =>
      resolveDev(
        copy((b) => {
          b.vars = { tag: "main latest" };
          b.images.app.upstream = "ghcr.io/example/demo:{tag}";
        }),
      ),
    ).toThrow(/images\.app\.upstream: "ghcr\.io\/example\/demo:main latest" is not allowed/));

  test("a header name or value that would break the proxy config is refused", () => {
    expect(() =>
      resolveDev(
        copy((b) => {
          b.app.proxy.headers = { "X-Bad Header": "1" };
        }),
      ),
    ).toThrow(
      /app\.proxy\.headers\.X-Bad Header: "X-Bad Header" is not allowed; allowed: an HTTP header name/,
    );
    expect(() =>
      resolveDev(
        copy((b) => {
          b.app.proxy.headers = { "X-Robots-Tag": 'noindex" always; return 200 "pwned' + "\n" };
        }),
      ),
    ).toThrow(/app\.proxy\.headers\.X-Robots-Tag: .* allowed: printable ASCII/);
  });

  test("a database name that would break the backup's shell command is refused", () =>
    expect(() =>
      resolveDev(
        copy((b) => {
          b.data.servers![0].databases[0].name = "app; rm -rf /";
        }),
      ),
    ).toThrow(
      /data\.servers\.0\.databases\.0\.name: "app; rm -rf \/" is not allowed; allowed: letters, digits and _/,
    ));

  test("a metrics path and a Prometheus retention are checked", () => {
    expect(() =>
      resolveDev(
        copy((b) => {
          b.app.services[0].metricsPath = "/metrics\njob_name: x";
        }),
      ),
    ).toThrow(/app\.services\.0\.metricsPath: .* allowed: a path/);
    expect(() =>
      resolveDev(
        copy((b) => {
          b.app.monitoring!.retention = "15d --web.enable-admin-api";
        }),
      ),
    ).toThrow(/app\.monitoring\.retention: .* allowed: a duration/);
  });

  test("the backup schedule is checked at the schema, and a line break in it is refused", () => {
    expect(() =>
      resolveDev(
        copy((b) => {
          b.app.backup!.schedule = "0 25 * * *";
        }),
        "prod",
      ),
    ).toThrow(/app\.backup\.schedule: schedule "0 25 \* \* \*": the hour field "25" is invalid/);
    expect(() =>
      resolveDev(
        copy((b) => {
          b.app.backup!.schedule = "0\n2 * * *\n*";
        }),
        "prod",
      ),
    ).toThrow(/app\.backup\.schedule: schedule .* has a line break/);
  });

  test("an S3 repository URL with shell characters is refused", () =>
    expect(() =>
      resolveDev(
        copy((b) => {
          b.app.backup!.repository = {
            kind: "s3",
            url: "http://minio:9000/b$(reboot)",
            accessKeyRef: "a",
            secretKeyRef: "b",
          };
        }),
        "prod",
      ),
    ).toThrow(/app\.backup\.repository\.url: .* allowed: an http\(s\) URL/));

  test("every reference blueprint still passes", () => {
    for (const [, bp] of Object.entries(BLUEPRINTS))
      for (const env of bp.environments)
        expect(() => resolve(bp, { environment: env, imageSet: "upstream" })).not.toThrow();
  });
});

describe("routes: one service per host and path", () => {
  test("a second service on the same host and path is refused, naming both", () =>
    expect(() =>
      resolveDev(
        copy((b) => {
          b.app.services.push({ ...b.app.services[1], name: "web2" });
        }),
      ),
    ).toThrow(
      /app\.services\[3\]\.routes\[0\]: host demo\.dev\.localhost path \/ is already routed to service web; allowed: one service per host and path/,
    ));

  test("/api and /api/ on one host are the same route; host case does not matter", () =>
    expect(() =>
      resolveDev(
        copy((b) => {
          b.app.services[1].routes = [{ host: "Demo.{env}.localhost", path: "/api" }];
        }),
      ),
    ).toThrow(
      /app\.services\[1\]\.routes\[0\]: host Demo\.dev\.localhost path \/api is already routed to service api/,
    ));

  test("a site that claims a route of the platform is refused", () => {
    const wm = BLUEPRINTS.webmeteor;
    const platform = resolve(wm, { environment: "staging", imageSet: "local" });
    const taken = platform.app.services.flatMap((s) => s.routes ?? [])[0];
    expect(() =>
      resolve(wm, {
        environment: "staging",
        imageSet: "local",
        site: { customer: "acme", app: "shop", domain: taken.host },
      }),
    ).toThrow(/app\.sites\.services\[\d\]\.routes\[\d\]: host .* is already routed to service/);
  });

  test("different paths, or different hosts, are fine", () =>
    expect(() => resolveDev(copy(() => undefined))).not.toThrow());
});

describe("stack config (--set)", () => {
  const base = { "shipyard:blueprint": "demo", "shipyard:environment": "dev" };
  test("an image override is a Docker reference", () =>
    expect(() => parseConfig({ ...base, "shipyard:images": '{"app":"ghcr.io/example/demo main"}' })).toThrow(
      /shipyard:images\.app: "ghcr\.io\/example\/demo main" is not allowed; allowed: a Docker image reference/,
    ));
  test("a site domain is a host name", () =>
    expect(() =>
      parseConfig({
        ...base,
        "shipyard:site": '{"customer":"acme","app":"shop","domain":"shop.localhost; return 200 x"}',
      }),
    ).toThrow(/shipyard:site\.domain: .* allowed: a host name/));
});
