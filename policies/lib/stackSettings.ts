/**
 * The few stack settings a policy reads. Pulumi gives a policy pack the stack's
 * configuration as JSON in PULUMI_CONFIG (sdk/go/common/resource/plugin/
 * analyzer_plugin.go, constructEnv), secrets decrypted; only the keys below are
 * kept, so no secret stays in the pack's memory.
 */
export interface StackSettings {
  /** `shipyard:imageSet` as the stack's settings give it (undefined when unset). */
  imageSet?: string;
}

/** The stack settings from the pack's environment; {} when none are given or they do not parse. */
export function loadStackSettings(env: NodeJS.ProcessEnv = process.env): StackSettings {
  const raw = env.PULUMI_CONFIG;
  if (!raw) return {};
  try {
    const all = JSON.parse(raw) as Record<string, unknown>;
    const imageSet = all["shipyard:imageSet"];
    return typeof imageSet === "string" ? { imageSet } : {};
  } catch {
    return {};
  }
}
