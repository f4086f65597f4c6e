/**
 * What a command is asked to do, before anything is resolved: the target
 * (which system, which environment, which --set values) and how the run goes
 * (where progress goes, whether the policy pack runs). Types only, imported
 * by every part of cli/ and importing nothing of it.
 */
import type { EngineEvent } from "@pulumi/pulumi/automation";

export interface EnvironmentTarget {
  blueprint: string;
  environment: string;
  /** Engine names use this instead of the blueprint name. */
  systemName?: string;
  /** Extra `shipyard:*` settings (key without the namespace). */
  config?: Record<string, string>;
  /** App layer secrets, `shipyard:<key>` -> value (e.g. registryPasswords): set on the app layer's stack as Pulumi secrets. */
  appSecrets?: Record<string, string>;
  /** Operator secrets, name -> value: set on the data layer's stack as Pulumi secrets. */
  secrets?: Record<string, string>;
  /** Receives progress lines. @default console.log */
  log?: (line: string) => void;
  /** Run the policy pack (policies/) in preview and up. @default true */
  policies?: boolean;
  /** Receives the engine events of `up` and `destroy`, per layer (timings for bench/). */
  onEvent?: (layer: string, e: EngineEvent) => void;
}
