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

describe("stack config: shipyard:tls and shipyard:httpsPort", () => {
  const cme = (environment: string, extra: Record<string, string> = {}) => ({
    "shipyard:blueprint": "cme",
    "shipyard:environment": environment,
    // Staging and prod need the relay CME's senders use (stacks/mailConfig.ts).
    "shipyard:mail": JSON.stringify({ host: "smtp.example.org", port: 587 }),
    // and a receiver, or off, where monitoring runs (stacks/alertsConfig.ts).
    ...(environment !== "dev" ? { "shipyard:alerts": "off" } : {}),
    ...extra,
  });
  const email = { "shipyard:tls": JSON.stringify({ email: "ops@example.org" }) };

  test("off unless the blueprint or the stack config turns it on; no HTTPS port then", () => {
    const { system } = loadStack(ok);
    expect(system.app.proxy.tls).toEqual({ mode: "off" });
    expect(system.app.proxy.httpsPort).toBeUndefined();
    expect(loadStack(cme("dev", email)).system.app.proxy.tls).toEqual({ mode: "off" });
  });
  test("CME's staging and prod default to acme, with Let's Encrypt's staging and production directories", () => {
    expect(loadStack(cme("staging", email)).system.app.proxy).toMatchObject({
      tls: {
        mode: "acme",
        email: "ops@example.org",
        directory: "https://acme-staging-v02.api.letsencrypt.org/directory",
      },
      httpsPort: 443,
    });
    expect(loadStack(cme("prod", email)).system.app.proxy.tls).toEqual({
      mode: "acme",
      email: "ops@example.org",
      directory: "https://acme-v02.api.letsencrypt.org/directory",
    });
  });
  test("the stack config overrides the blueprint's mode, directory and port", () => {
    expect(loadStack(cme("prod", { "shipyard:tls": "off" })).system.app.proxy.tls).toEqual({ mode: "off" });
    const p = loadStack(
      cme("staging", {
        "shipyard:tls": JSON.stringify({
          mode: "acme",
          email: "a@b.example",
          directory: "https://ca.test/dir",
        }),
        "shipyard:httpsPort": "8443",
      }),
    ).system.app.proxy;
    expect(p.tls).toEqual({ mode: "acme", email: "a@b.example", directory: "https://ca.test/dir" });
    expect(p.httpsPort).toBe(8443);
    expect(loadStack(cme("dev", { "shipyard:tls": "internal" })).system.app.proxy).toMatchObject({
      tls: { mode: "internal" },
      httpsPort: 443,
    });
  });
  test("acme without an e-mail address in prod names shipyard:tls.email", () => {
    expect(() => loadStack(cme("prod"))).toThrow(
      /shipyard:tls.email: required with tls mode "acme" \(the blueprint cme's default in prod\); allowed: an e-mail address/,
    );
  });
  test("acme in dev needs a directory", () => {
    expect(() =>
      loadStack(cme("dev", { "shipyard:tls": JSON.stringify({ mode: "acme", email: "ops@example.org" }) })),
    ).toThrow(/shipyard:tls.directory: required with tls mode "acme" in dev; allowed: an https:\/\/ URL/);
  });
  test("a bad e-mail address, a non-https directory, an unknown mode, a CA root that is not PEM", () => {
    expect(() => parseConfig({ ...ok, "shipyard:tls": JSON.stringify({ email: "ops at example" }) })).toThrow(
      /shipyard:tls.email: "ops at example" is not allowed; allowed: an e-mail address/,
    );
    expect(() =>
      parseConfig({ ...ok, "shipyard:tls": JSON.stringify({ directory: "http://ca.test/dir" }) }),
    ).toThrow(/shipyard:tls.directory: "http:\/\/ca.test\/dir" is not allowed; allowed: an https:\/\/ URL/);
    expect(() => parseConfig({ ...ok, "shipyard:tls": "on" })).toThrow(
      /shipyard:tls.mode: Invalid enum value. Expected 'off' \| 'internal' \| 'acme' \| 'files' \| 'upstream', received 'on'/,
    );
    expect(() => parseConfig({ ...ok, "shipyard:tls": JSON.stringify({ caRoot: "not a pem" }) })).toThrow(
      /shipyard:tls.caRoot: is not allowed; allowed: PEM certificates/,
    );
    expect(() => parseConfig({ ...ok, "shipyard:tls": JSON.stringify({ mode: "acme", mail: "x" }) })).toThrow(
      /shipyard:tls.mail: unknown key; allowed: shipyard:tls.mode, shipyard:tls.email, shipyard:tls.directory, shipyard:tls.caRoot/,
    );
  });
  test("TLS with proxy kind nginx: internal refused naming the modes; acme needs the blueprint's lego image", () => {
    expect(() => loadStack({ ...ok, "shipyard:tls": "internal" })).toThrow(
      /shipyard:tls: tls mode "internal" is not available with proxy kind nginx \(nginx has no local CA.*\); allowed modes for nginx: off, acme/,
    );
    expect(() =>
      loadStack({
        ...ok,
        "shipyard:environment": "prod",
        "shipyard:tls": JSON.stringify({ mode: "acme", ...JSON.parse(email["shipyard:tls"]) }),
      }),
    ).toThrow(
      /shipyard:tls: tls mode "acme" with proxy kind nginx needs lego beside nginx, and the blueprint demo names no app.proxy.acmeClientImage; allowed: tls mode "off" here, or a blueprint with app.proxy.acmeClientImage/,
    );
  });
  test("CEP (kind nginx): acme by default in prod with Let's Encrypt and lego's image; off in dev", () => {
    const cep = (environment: string, extra: Record<string, string> = {}) => ({
      "shipyard:blueprint": "cep",
      "shipyard:environment": environment,
      "shipyard:mail": JSON.stringify({ host: "smtp.example.org", port: 587 }),
      "shipyard:alerts": "off",
      ...extra,
    });
    const p = loadStack(cep("prod", email)).system.app.proxy;
    expect(p).toMatchObject({
      kind: "nginx",
      tls: {
        mode: "acme",
        email: "ops@example.org",
        directory: "https://acme-v02.api.letsencrypt.org/directory",
      },
      httpsPort: 443,
      acmeClientImage: "goacme/lego:v4.35.2",
    });
    expect(
      loadStack(cep("prod", { ...email, "shipyard:imageSet": "local" })).system.app.proxy.acmeClientImage,
    ).toBe("shipyard/lego:bookworm");
    expect(loadStack(cep("dev")).system.app.proxy.tls).toEqual({ mode: "off" });
    expect(() => loadStack(cep("prod", { ...email, "shipyard:engine": "swarm" }))).toThrow(
      /shipyard:tls: tls mode "acme" with proxy kind nginx is not available with shipyard:engine "swarm".*allowed: shipyard:engine "container", or shipyard:tls "off"/,
    );
    expect(() => loadStack(cep("prod"))).toThrow(
      /shipyard:tls.email: required with tls mode "acme" \(the blueprint cep's default in prod\)/,
    );
  });
  test("proxy kind traefik (Brand Club): acme accepted; internal refused naming the modes traefik has", () => {
    const bc = (extra: Record<string, string>) => ({
      "shipyard:blueprint": "brandclub",
      "shipyard:environment": "prod",
      "shipyard:mail": JSON.stringify({ host: "smtp.example.org", port: 587 }),
      "shipyard:alerts": "off",
      ...extra,
    });
    const p = loadStack(bc({ "shipyard:tls": JSON.stringify({ mode: "acme", email: "ops@example.org" }) }))
      .system.app.proxy;
    expect(p.kind).toBe("traefik");
    expect(p.tls).toEqual({
      mode: "acme",
      email: "ops@example.org",
      directory: "https://acme-v02.api.letsencrypt.org/directory",
    });
    expect(p.httpsPort).toBe(443);
    expect(() => loadStack(bc({ "shipyard:tls": "internal" }))).toThrow(
      /shipyard:tls: tls mode "internal" is not available with proxy kind traefik \(Traefik has no local CA: its certificates come from an ACME directory\); allowed modes for traefik: off, acme/,
    );
    // Without an e-mail address: only the missing field is reported, as for caddy.
    expect(() => loadStack(bc({ "shipyard:tls": "acme" }))).toThrow(
      /invalid stack configuration:\n {2}- shipyard:tls.email: required with tls mode "acme" \(shipyard:tls.mode\)[^\n]*$/,
    );
  });
  test("httpsPort: needs TLS on, and differs from httpPort", () => {
    expect(() => loadStack({ ...ok, "shipyard:httpsPort": "8443" })).toThrow(
      /shipyard:httpsPort: 8443 needs shipyard:tls mode "internal", "acme" or "files"; the mode is "off"/,
    );
    expect(() => loadStack(cme("staging", { ...email, "shipyard:httpsPort": "8281" }))).toThrow(
      /shipyard:httpsPort: 8281 is also the proxy's httpPort; allowed: a port from 1 to 65535 other than 8281/,
    );
    expect(() => parseConfig({ ...ok, "shipyard:httpsPort": "70000" })).toThrow(
      /shipyard:httpsPort: Number must be less/,
    );
  });
});
