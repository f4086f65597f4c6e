import { destroy } from "../../cli/commands/destroy";
import { up } from "../../cli/commands/up";
import { docker, inspect, labelled, removeLabelled } from "./helpers/docker";
import { freePort, get } from "./helpers/net";
import { httpsGet, logsOf, pebbleIssued, pebbleRoot, poll, startPebble } from "./helpers/acme";
import { testTarget } from "./helpers/target";

/**
 * CEP dev through both stacks with `shipyard:tls` acme against Pebble (the issue's
 * "CEP dev (nginx)" case): the data layer keeps the certificate volume, the app layer's
 * nginx and lego beside it get Pebble's certificate for every routed host over HTTP-01;
 * HTTPS verifies against Pebble's root with the host's name, HTTP answers 308, HSTS
 * only over HTTPS. Pebble stands in for public DNS with /etc/hosts entries naming the
 * proxy's address on CEP's external network (the route hosts are *.localhost names).
 */
const run = `t${process.pid}cph`;
const label = `io.shipyard.test=${run}`;
const pebble = `${run}-pebble`;
const HOSTS = ["dev.cep.localhost", "mail.dev.cep.localhost", "queues.dev.cep.localhost"];
const lines: string[] = [];
let ports: { http: number; https: number; pebble: number };
let settings: Record<string, string> = {};
const target = () =>
  testTarget({
    run,
    blueprint: "cep",
    environment: "dev",
    port: ports.http,
    config: { imageSet: "local", ...settings },
    log: (l) => lines.push(l),
  });

beforeAll(async () => {
  ports = { http: await freePort(), https: await freePort(), pebble: await freePort() };
});
afterAll(async () => {
  try {
    docker("rm", "-f", pebble);
  } catch {
    /* not started */
  }
  await destroy(target(), { removeStacks: true }).catch(() => undefined);
  removeLabelled(label);
});

test("CEP dev with tls acme: lego gets Pebble's certificate for every route host, nginx serves them, HTTP redirects", async () => {
  // 1. The data layer (plain HTTP): CEP's networks, so Pebble can join the external one.
  await up(target(), { layers: ["data"] });
  const external = labelled(label).networks.find((n) => /external/.test(n));
  expect(external).toBeDefined();
  const testCa = await startPebble({ name: pebble, label, network: external!, managementPort: ports.pebble });

  // 2. Both layers with tls acme (the directory Pebble's, its test CA trusted by lego).
  settings = {
    tls: JSON.stringify({
      mode: "acme",
      email: "ops@example.org",
      directory: "https://pebble:14000/dir",
      caRoot: testCa,
    }),
    httpsPort: String(ports.https),
  };
  const t0 = Date.now();
  await up(target());
  const upSeconds = Math.round((Date.now() - t0) / 100) / 10;
  const proxy = `${run}-dev-proxy`;
  const lego = `${run}-dev-proxy-lego`;
  expect(inspect(proxy, "{{.State.Health.Status}}")).toBe("healthy");
  expect(inspect(lego, "{{.State.Health.Status}}")).toBe("healthy");
  expect(inspect(lego, "{{range .Mounts}}{{.Name}} {{.Destination}}{{end}}")).toBe(
    `${run}-dev-proxy-certs /var/lib/lego`,
  );

  // Public DNS, for Pebble: the route hosts name the proxy's address on the external network.
  const ip = inspect(proxy, `{{(index .NetworkSettings.Networks "${external}").IPAddress}}`);
  expect(ip).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
  docker("exec", pebble, "sh", "-c", `echo '${ip} ${HOSTS.join(" ")}' >> /etc/hosts`);

  const root = await poll("Pebble's root", 30, () => pebbleRoot(ports.pebble, testCa));
  const served: Record<string, string> = {};
  for (const host of HOSTS) {
    // lego retries a host after 30 s, then 60 s: the first try may precede the hosts entry.
    const s = await poll(`HTTPS for ${host}`, 300, () => httpsGet(ports.https, root, host, "/"));
    expect(s.subjectAltName).toBe(`DNS:${host}`);
    served[host] = s.serial;
    expect(s.issuer).toMatch(/^Pebble Intermediate CA/);
    expect(s.status).toBeLessThan(500);
    expect(s.headers["strict-transport-security"]).toBe("max-age=31536000");
    const plain = await get(ports.http, host, "/x?y=1");
    expect(plain.status).toBe(308);
    expect(plain.headers.location).toBe(`https://${host}/x?y=1`);
    expect(plain.headers["strict-transport-security"]).toBeUndefined();
  }
  const servedSeconds = Math.round((Date.now() - t0) / 100) / 10;
  expect(pebbleIssued(pebble)).toHaveLength(HOSTS.length);
  for (const host of HOSTS) expect(logsOf(lego)).toContain(`${host}: certificate obtained`);

  // The API route over HTTPS reaches the CMS (Payload answers its REST API).
  const api = await httpsGet(ports.https, root, HOSTS[0], "/api/courses?limit=1");
  expect(api.status).toBe(200);

  // 3. An app deploy (every service's environment changed): the same certificates, none issued.
  const legoId = inspect(lego, "{{.Id}}");
  settings = { ...settings, appEnv: JSON.stringify({ SHIPYARD_TEST_DEPLOY: "2" }) };
  const t1 = Date.now();
  const deployed = await up(target());
  const deploySeconds = Math.round((Date.now() - t1) / 100) / 10;
  expect(deployed.find((l) => l.layer === "app")!.changes.replace).toBeGreaterThanOrEqual(5);
  expect(inspect(lego, "{{.Id}}")).toBe(legoId);
  for (const host of HOSTS) {
    const again = await poll(`HTTPS for ${host} after the app deploy`, 120, () =>
      httpsGet(ports.https, root, host, "/"),
    );
    expect(again.serial).toBe(served[host]);
  }
  expect(pebbleIssued(pebble)).toHaveLength(HOSTS.length);
  console.log(
    `https-cep: the up with tls acme took ${upSeconds} s; all ${HOSTS.length} hosts served Pebble's certificates ${servedSeconds} s after it began; Pebble issued ${HOSTS.length}; an app deploy (${deploySeconds} s) kept the serials, Pebble's issued count still ${pebbleIssued(pebble).length}`,
  );
});
