/** The deploy command line for a target, as an operator would type it (pure). */
import type { EnvironmentTarget } from "./ref";

export function commandLine(command: string, t: EnvironmentTarget, extra = ""): string {
  const name = t.systemName ? ` --name ${t.systemName}` : "";
  const quote = (v: string) => (/^[\w@%+=:,./-]+$/.test(v) ? v : `'${v.replace(/'/g, "'\\''")}'`);
  const sets = Object.entries(t.config ?? {})
    .map(([k, v]) => ` --set ${quote(`${k}=${v}`)}`)
    .join("");
  return `npm run deploy -- ${command} ${t.blueprint} ${t.environment}${name}${sets}${extra}`;
}
