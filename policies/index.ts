import { PolicyPack } from "@pulumi/policy";
import { ALL_POLICIES } from "./lib/all";
import { toCrossGuard } from "./lib/pack";
import { loadSettings } from "./lib/settings";
import { loadWaivers, today } from "./lib/waivers";

// Settings and waivers are read once, when the CLI starts the pack; a bad
// file stops the pack with the file, entry and field named.
const ctx = { settings: loadSettings(), waivers: loadWaivers(), today: today() };

new PolicyPack("shipyard", {
  enforcementLevel: "mandatory",
  policies: ALL_POLICIES.map((d) => toCrossGuard(d, ctx)),
});
