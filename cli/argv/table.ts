/**
 * The deploy command's commands and their flags, as data: main.ts dispatches
 * on it, cli/argv/parse.ts checks arguments against it, and the usage text is
 * generated from it (Kamal's `desc`/`option`, as a table).
 */
import { BLUEPRINTS, ENVIRONMENTS } from "../../blueprints";
import { REPOSITORY_CHOICES, type BackupRepositoryChoice } from "../engine/backups";

/** What `parseArgs` gives the commands besides the target. */
export interface Flags {
  /** restore: the snapshot to restore. */
  snapshot?: string;
  /** restore: only these targets. */
  targets?: string[];
  /** restore: the local repository or the off-site copy. */
  from?: BackupRepositoryChoice;
  /** restore: a per-customer site's backups (`<customer>-<app>`). */
  site?: string;
  /** restore: a file the team brings (a mysqldump, a pg_dump, a tar of a volume) instead of a snapshot. */
  importFile?: string;
  /** up: skip the data guard. */
  forceWithoutBackup?: boolean;
  /** export-compose, export-grafana: where to write. */
  outDir?: string;
  /** export-compose: a Swarm stack file instead of a compose file. */
  swarm?: boolean;
  /** up: run Pulumi on every layer, also on one unchanged since its last up. */
  full?: boolean;
  /** upgrade-engine: the operator confirms that protected containers (prod data services) are replaced. */
  replaceProtected?: boolean;
}

export interface FlagSpec {
  /** Where the parsed flag goes. */
  key: keyof Flags;
  /** Its value's placeholder; none for a switch. */
  value?: string;
  /** May be given more than once (the values collected). */
  repeat?: boolean;
  /**
   * Recognised after any command: where it is not taken, or without its
   * value, the error says it needs a value (not that it is unexpected).
   */
  alwaysKnown?: boolean;
  /** Checks the value and gives what is stored; throws an Error naming the allowed form. */
  accept?: (value: string) => string;
}

export interface CommandSpec {
  name: string;
  /**
   * deploy: the operator's commands (listed when a command is unknown);
   * report: the pull-request preview tools. (The workflow helpers are
   * cli/ci/commands.ts's own subcommands, tried for a name not in the table.)
   */
  kind: "deploy" | "report";
  /** Takes `<blueprint> <env>` and the target's flags (--name, --set, --secret, --registry-password), checked by parseArgs. */
  target?: boolean;
  /** Its own flags. */
  flags?: Record<string, FlagSpec>;
  /** Its usage lines: the arguments after the command's name (lines shared by several commands are merged). */
  usage: string[];
}

/** The target's flags, taken by every command with a target. */
export const TARGET_FLAGS = ["--set", "--secret", "--registry-password", "--name"];

const BASIC = "<blueprint> <env> [--name NAME] [--set key=value ...]";

export const COMMANDS: CommandSpec[] = [
  {
    name: "up",
    kind: "deploy",
    target: true,
    flags: {
      "--force-without-backup": { key: "forceWithoutBackup" },
      "--full": { key: "full" },
    },
    usage: [
      BASIC,
      "<blueprint> <env> [--secret name=value | --secret name (value in SHIPYARD_SECRET_<NAME>) ...]",
      "<blueprint> <env> [--registry-password address=password | --registry-password address (password in SHIPYARD_REGISTRY_PASSWORD_<HOST>) ...]",
      "<blueprint> <env> [--full] [--force-without-backup]",
    ],
  },
  { name: "preview", kind: "deploy", target: true, usage: [BASIC] },
  { name: "refresh", kind: "deploy", target: true, usage: [BASIC] },
  { name: "destroy", kind: "deploy", target: true, usage: [BASIC] },
  {
    name: "restore",
    kind: "deploy",
    target: true,
    flags: {
      "--snapshot": { key: "snapshot", value: "ID", alwaysKnown: true },
      "--target": { key: "targets", value: "NAME", repeat: true, alwaysKnown: true },
      "--from": {
        key: "from",
        value: "local|offsite",
        alwaysKnown: true,
        accept: (v) => {
          if (!(REPOSITORY_CHOICES as readonly string[]).includes(v))
            throw new Error(`--from is "${v}"; allowed: ${REPOSITORY_CHOICES.join(", ")}`);
          return v;
        },
      },
      "--site": {
        key: "site",
        value: "CUSTOMER/APP",
        alwaysKnown: true,
        accept: (v) => {
          if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?\/[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(v))
            throw new Error(
              `--site is "${v}"; allowed: <customer>/<app> (lower-case letters, digits and inner dashes)`,
            );
          return v.replace("/", "-");
        },
      },
      "--import": { key: "importFile", value: "FILE", alwaysKnown: true },
      "--force-without-backup": { key: "forceWithoutBackup" },
    },
    usage: [
      "<blueprint> <env> [--name NAME] [--snapshot ID] [--target NAME] [--from local|offsite] [--site CUSTOMER/APP]",
      "<blueprint> <env> [--name NAME] --import FILE --target NAME [--force-without-backup]",
    ],
  },
  { name: "recover", kind: "deploy", target: true, usage: [BASIC] },
  {
    name: "upgrade-engine",
    kind: "deploy",
    target: true,
    flags: {
      "--replace-protected": { key: "replaceProtected" },
      "--force-without-backup": { key: "forceWithoutBackup" },
    },
    usage: ["<blueprint> <env> [--name NAME] [--replace-protected] [--force-without-backup]"],
  },
  {
    name: "site",
    kind: "deploy",
    usage: ["<up|preview|destroy> <blueprint> <env> <customer> <app> <domain>"],
  },
  {
    name: "preview-json",
    kind: "report",
    usage: ["<blueprint> <env> <out-dir> [--policy-pack DIR] [--name NAME] [--set key=value ...]"],
  },
  { name: "render-preview", kind: "report", usage: ["[--title T] <preview.json...>"] },
  {
    name: "export-compose",
    kind: "deploy",
    target: true,
    flags: { "--out": { key: "outDir", value: "DIR" }, "--swarm": { key: "swarm" } },
    usage: ["<blueprint> <env> [--name NAME] [--out DIR] [--swarm] [--set key=value ...]"],
  },
  {
    name: "export-grafana",
    kind: "deploy",
    target: true,
    flags: { "--out": { key: "outDir", value: "DIR" } },
    usage: ["<blueprint> <env> [--name NAME] [--out DIR]"],
  },
  {
    name: "promote",
    kind: "deploy",
    usage: ["<blueprint> <from-env> <to-env> [--name NAME] [--registry-password ...]"],
  },
  { name: "rollback", kind: "deploy", usage: ["<blueprint> <env> [--name NAME] [--registry-password ...]"] },
  { name: "refresh-data", kind: "deploy", usage: [] },
  { name: "list", kind: "deploy", usage: [""] },
];

export function commandSpec(name: string | undefined): CommandSpec | undefined {
  return COMMANDS.find((c) => c.name === name);
}

/** The commands named when a command is unknown: those with a target first, then the other operator commands. */
export function allowedCommands(): string[] {
  const deploy = COMMANDS.filter((c) => c.kind === "deploy");
  return [...deploy.filter((c) => c.target), ...deploy.filter((c) => !c.target)].map((c) => c.name);
}

/** The flags named as needing a value wherever they appear without one (or where they are not taken). */
export function alwaysKnownFlags(): string[] {
  const own = COMMANDS.flatMap((c) => Object.entries(c.flags ?? {}).filter(([, f]) => f.alwaysKnown));
  return [...TARGET_FLAGS, ...new Set(own.map(([name]) => name))];
}

/** The usage text: each command's lines in table order, a line several commands share written once as `<a|b|…>`. */
export function usage(): string {
  const lines: { names: string[]; args: string }[] = [];
  for (const c of COMMANDS)
    for (const args of c.usage) {
      const shared = lines.find((l) => l.args === args);
      if (shared) shared.names.push(c.name);
      else lines.push({ names: [c.name], args });
    }
  const text = lines.map(({ names, args }) => {
    const name = names.length > 1 ? `<${names.join("|")}>` : names[0];
    return `npm run deploy -- ${name}${args ? ` ${args}` : ""}`;
  });
  return [
    `usage: ${text[0]}`,
    ...text.slice(1).map((l) => `       ${l}`),
    `blueprints: ${Object.keys(BLUEPRINTS).join(", ")}; environments: ${ENVIRONMENTS.join(", ")}`,
  ].join("\n");
}
