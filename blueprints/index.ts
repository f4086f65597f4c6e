/** The registry of blueprints: adding a system is adding one file and one line here. */
import type { Blueprint } from "./schema";
import { brandclub } from "./brandclub";
import { cep } from "./cep";
import { cme } from "./cme";
import { demo } from "./demo";
import { webmeteor } from "./webmeteor";

export const BLUEPRINTS: Record<string, Blueprint> = { demo, cme, brandclub, webmeteor, cep };

export { OverrideError, resolve, routeKey, stackNames } from "./resolve";
export type { ResolvedSystem, ImageSet, ResolveOptions, SiteRef } from "./resolve";
export { ENVIRONMENTS } from "./schema";
export type { Environment } from "./schema";
