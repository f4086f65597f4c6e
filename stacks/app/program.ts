/** App layer program: config -> data contract -> AppStack + ReverseProxy. */
import * as pulumi from "@pulumi/pulumi";
import { AppStack } from "../../components/app";
import { ReverseProxy } from "../../components/proxy";
import { loadStack } from "../config";
import { checkContract, dataStackName } from "../contract";

export async function appProgram(): Promise<Record<string, unknown>> {
  const { config, system } = loadStack();
  const dataStack = dataStackName(pulumi.getOrganization(), pulumi.getStack());
  const ref = new pulumi.StackReference(`${system.system}-data`, { name: dataStack });
  const contract = checkContract((await ref.getOutputDetails("contract")).value, dataStack, system);
  const secretValues = (await ref.getOutputDetails("secrets")).secretValue as
    Record<string, string> | undefined;
  const secrets = pulumi.secret(secretValues ?? {});

  const app = new AppStack(system.system, {
    system: system.system,
    environment: system.environment,
    services: system.app.services,
    networks: contract.networks,
    secrets,
    secretKeys: contract.secretKeys,
    protect: config.protect ?? system.environment === "prod",
    labels: config.labels,
  });

  const routes = system.app.services.flatMap((s) =>
    (s.routes ?? []).map((r) => ({
      host: r.host,
      path: r.path,
      stripPrefix: r.stripPrefix,
      upstream: `${app.endpoints[s.name].upstream!.split(":")[0]}:${r.port ?? s.port}`,
    })),
  );
  const proxy = new ReverseProxy(
    system.system,
    {
      system: system.system,
      environment: system.environment,
      kind: system.app.proxy.kind,
      image: system.app.proxy.image,
      networks: system.app.proxy.networks.map((k) => contract.networks[k]),
      httpPort: system.app.proxy.httpPort,
      listenAddress: config.listenAddress,
      routes,
      securityHeaders: system.app.proxy.securityHeaders,
      rateLimit: system.app.proxy.rateLimit,
      labels: config.labels,
    },
    { dependsOn: Object.values(app.containers).flat() },
  );

  return {
    url: proxy.url,
    routes: routes.map((r) => `${r.host}${r.path ?? "/"} -> ${r.upstream}`),
    services: Object.fromEntries(
      Object.entries(app.endpoints).map(([n, e]) => [
        n,
        { replicas: e.replicas, upstream: e.upstream ?? null },
      ]),
    ),
  };
}
