/**
 * The stack's own log limits (`shipyard:logs`, per environment: each environment is its
 * own stack): every container's and Swarm service's json-file rotation set to them instead
 * of the components' default (components/shared/logs.ts, 3 × 10 MB), by a stack
 * transformation, so no component needs an argument for it. A log driver other than
 * json-file that a component names is left alone.
 */
import * as pulumi from "@pulumi/pulumi";
import { LOG_DRIVER, logOpts, type LogLimits } from "../components/shared/logs";

const CONTAINER = "docker:index/container:Container";
const SERVICE = "docker:index/service:Service";

type Props = Record<string, unknown>;

/** The transformation that puts `limits` on json-file logs of containers and services. */
export function logLimitsTransformation(limits: LogLimits): pulumi.ResourceTransformation {
  const opts = logOpts(limits);
  const bounded = (driver: pulumi.Input<string> | undefined, current: unknown) =>
    pulumi.output(driver).apply((d) => ((d ?? LOG_DRIVER) === LOG_DRIVER ? opts : current));
  return (args) => {
    const props = args.props as Props;
    if (args.type === CONTAINER)
      return {
        props: { ...props, logOpts: bounded(props.logDriver as pulumi.Input<string>, props.logOpts) },
        opts: args.opts,
      };
    if (args.type === SERVICE) {
      const spec = (props.taskSpec ?? {}) as Props;
      const log = (spec.logDriver ?? {}) as Props;
      return {
        props: {
          ...props,
          taskSpec: {
            ...spec,
            logDriver: { ...log, options: bounded(log.name as pulumi.Input<string>, log.options) },
          },
        },
        opts: args.opts,
      };
    }
    return undefined;
  };
}

/** Registers the transformation for this stack when `shipyard:logs` is set. */
export function applyLogLimits(limits: LogLimits | undefined): void {
  if (limits) pulumi.runtime.registerStackTransformation(logLimitsTransformation(limits));
}
