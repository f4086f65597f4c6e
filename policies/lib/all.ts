import { adminPolicies } from "../architecture/admin";
import { dataPolicies } from "../architecture/data";
import { environmentPolicies } from "../architecture/environments";
import { httpsPolicies } from "../architecture/https";
import { imageSetPolicies } from "../architecture/imageSet";
import { layerPolicies } from "../architecture/layers";
import { limitPolicies } from "../runtime/limits";
import { logPolicies } from "../runtime/logs";
import { mountPolicies } from "../runtime/mounts";
import { namespacePolicies } from "../runtime/namespaces";
import { portPolicies } from "../runtime/ports";
import { privilegePolicies } from "../runtime/privileges";
import type { PolicyDef } from "./policy";

/** Every policy of the pack, CIS runtime hardening first. */
export const ALL_POLICIES: PolicyDef[] = [
  ...privilegePolicies,
  ...namespacePolicies,
  ...mountPolicies,
  ...limitPolicies,
  ...logPolicies,
  ...portPolicies,
  ...layerPolicies,
  ...environmentPolicies,
  ...imageSetPolicies,
  ...dataPolicies,
  ...httpsPolicies,
  ...adminPolicies,
];
