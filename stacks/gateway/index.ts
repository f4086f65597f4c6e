/**
 * Gateway layer program (project shipyard-gateway): one stable Apache httpd
 * per system, published on the host, in front of its environments' edge
 * proxies. Config -> plan (from the blueprint alone) -> Gateway. No other
 * layer's deploy touches it: it joins the data layer's networks by name and
 * reaches the API and the proxy by their network names.
 */
import * as pulumi from "@pulumi/pulumi";
import { Gateway } from "../../components/gateway";
import { engineFacts } from "../engineFacts";
import { describeImageSet } from "../imageSet";
import { standInsMark } from "../imageSetLabel";
import { gatewayPlan, parseGatewayConfig } from "./config";

async function gatewayProgram(): Promise<Record<string, unknown>> {
  const config = parseGatewayConfig(pulumi.runtime.allConfig());
  const plan = gatewayPlan(config);
  const imageSet = { set: config.imageSet, from: config.imageSetFrom };
  void pulumi.log.info(describeImageSet(imageSet));
  const gateway = new Gateway(plan.system, {
    system: plan.system,
    environment: plan.environment,
    image: plan.image,
    networks: plan.networks,
    httpPort: config.httpPort,
    listenAddress: config.listenAddress,
    backends: plan.backends,
    webhookPath: config.webhookPath,
    waivers: plan.waivers,
    labels: { ...config.labels, ...standInsMark(imageSet, plan.environment) },
    dockerEngine: await engineFacts(),
  });
  return {
    url: gateway.url,
    container: gateway.container.name,
    backends: plan.backends.map(
      (b) =>
        `${b.environment}: ${b.hosts.join(",") || "*"} -> webhook ${b.webhookUpstream}, rest ${b.proxyUpstream}`,
    ),
  };
}

export = gatewayProgram();
