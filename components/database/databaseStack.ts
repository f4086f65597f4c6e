import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import * as random from "@pulumi/random";
import * as command from "@pulumi/command";
import {
  containerBaseline,
  LABELS_AT_CREATE,
  checkNamePart,
  dockerHealthcheck,
  dockerLabels,
  resourceName,
  SECRETS_DIR,
  type Ownership,
} from "../shared";
import { adminClient, checkIdentifier, MINIO_KEY_FILES, PORTS, provisioningSql } from "./engines";
import {
  cachePlan,
  dataVolume,
  objectStorePlan,
  serverPlan,
  type DataServicePlan,
  type SecretFile,
} from "./plans";
import { seaweedfsUserExpr } from "./seaweedfs";
import { execTarget, workload, type Workload } from "../swarm";
import {
  OBJECT_STORE_KINDS,
  type CacheSpec,
  type DatabaseServerSpec,
  type DatabaseStackArgs,
  type Endpoint,
  type ObjectStoreSpec,
} from "./types";

/**
 * The data layer of one system in one environment: its networks, volumes,
 * database servers (MariaDB, PostgreSQL) with per-application databases and
 * users, and Redis caches/queues. Credentials are generated and kept secret.
 */
export class DatabaseStack extends pulumi.ComponentResource {
  /** Network key -> engine network name. */
  public readonly networks: pulumi.Output<Record<string, string>>;
  /** Network key -> engine network ID (Swarm services attach by ID). */
  public readonly networkIds: pulumi.Output<Record<string, string>>;
  /** Service name -> how to reach it. */
  public readonly endpoints: Record<string, Endpoint>;
  /** `<service>/<database>` and `<cache>` -> password. Secret. */
  public readonly secrets: pulumi.Output<Record<string, string>>;
  /** Its containers, or in Swarm mode its services. */
  public readonly containers: Workload[] = [];
  public readonly volumes: docker.Volume[] = [];
  /** Purpose -> engine name of each of `appVolumes`. */
  public readonly appVolumes: Record<string, pulumi.Output<string>> = {};

  constructor(name: string, args: DatabaseStackArgs, opts?: pulumi.ComponentResourceOptions) {
    super("shipyard:data:DatabaseStack", name, {}, opts);
    validate(args);
    const protect = args.protect ?? false;
    const owner = (role: string): Ownership => ({
      system: args.system,
      environment: args.environment,
      layer: "data",
      component: "database",
      role,
    });
    const labelsFor = (role: string) => dockerLabels(owner(role), args.labels);

    const nets: Record<string, { name: pulumi.Output<string>; id: pulumi.Output<string> }> = {};
    for (const n of args.networks) {
      if (n.external) {
        const netName = n.name ?? resourceName(args.system, args.environment, n.key);
        // Shared with other stacks: made if missing, never removed by this one. In Swarm
        // mode an attachable overlay (a local bridge is no network for services), and its
        // ID printed: services attach by ID, which upstream reads back (a name there
        // replaces the service on every up, TF resource_docker_service_structures.go:526-541).
        const ensure = new command.local.Command(
          `${name}-${n.key}-external`,
          {
            create: args.swarm
              ? `docker network inspect --format '{{.Id}}' ${netName} 2>/dev/null || docker network create --driver overlay --attachable ${netName}`
              : `docker network inspect ${netName} >/dev/null 2>&1 || docker network create ${netName} >/dev/null`,
          },
          { parent: this },
        );
        const shared = ensure.stdout.apply(() => netName);
        nets[n.key] = { name: shared, id: args.swarm ? ensure.stdout.apply((id) => id.trim()) : shared };
        continue;
      }
      nets[n.key] = new docker.Network(
        `${name}-${n.key}`,
        {
          name: n.name ?? resourceName(args.system, args.environment, n.key),
          internal: n.internal ?? true,
          // Swarm: overlay networks plain containers (the proxy, tools) can join too.
          ...(args.swarm ? { driver: "overlay", attachable: true } : {}),
          // Its waivers reach the policy pack from the blueprint (cli/blueprintWaivers.ts).
          labels: dockerLabels(owner(`network-${n.key}`), args.labels),
        },
        // A fixed name cannot exist twice: the bridge replaces an explicitly named
        // network delete-first (BR schema.go:193-245), its containers before it.
        { parent: this, deleteBeforeReplace: true, ...LABELS_AT_CREATE },
      );
    }
    // Swarm services attach by ID (see DataContract.networkIds), containers by name.
    const attach = (keys: string[] | undefined, alias: string) =>
      (keys ?? Object.keys(nets)).map((k) => ({
        name: args.swarm ? nets[k].id : nets[k].name,
        aliases: [alias],
      }));

    const secretEntries: pulumi.Output<[string, string]>[] = [];
    this.endpoints = {};

    for (const s of args.servers) {
      const container = this.server(
        name,
        args,
        s,
        labelsFor(s.name),
        attach(s.networks, s.name),
        protect,
        secretEntries,
      );
      this.endpoints[s.name] = {
        engine: s.engine,
        host: s.name,
        port: PORTS[s.engine],
        container: resourceName(args.system, args.environment, s.name),
        databases: Object.fromEntries(s.databases.map((d) => [d.name, d.user ?? d.name])),
      };
      this.containers.push(container);
    }
    for (const c of args.caches ?? []) {
      this.containers.push(
        this.cache(name, args, c, labelsFor(c.name), attach(c.networks, c.name), protect, secretEntries),
      );
      this.endpoints[c.name] = {
        engine: "redis",
        host: c.name,
        port: PORTS.redis,
        container: resourceName(args.system, args.environment, c.name),
        databases: {},
      };
    }

    for (const o of args.objectStores ?? []) {
      this.containers.push(
        this.objectStore(
          name,
          args,
          o,
          labelsFor(o.name),
          attach(o.networks, o.name),
          protect,
          secretEntries,
        ),
      );
      const kind = o.kind ?? "minio";
      this.endpoints[o.name] = {
        engine: kind,
        host: o.name,
        port: PORTS[kind],
        container: resourceName(args.system, args.environment, o.name),
        databases: Object.fromEntries((o.buckets ?? []).map((b) => [b, b])),
      };
    }

    for (const v of args.appVolumes ?? []) {
      const labels = dockerLabels({ ...owner(v.purpose), component: v.component }, args.labels);
      this.appVolumes[v.purpose] = this.volume(name, args, v.purpose, labels, protect).name;
    }

    for (const a of args.appSecrets ?? []) {
      // Kept by the data layer, so an app layer's destroy or replacement never changes it.
      const value = new random.RandomPassword(
        `${name}-app-${a.name}-secret`,
        { length: a.length, special: false },
        { parent: this },
      );
      secretEntries.push(value.result.apply((v) => [`app/${a.name}`, v] as [string, string]));
    }

    if (args.backupKey) {
      // Outlives the app layer's backup service: the repository opens after any redeploy.
      const key = new random.RandomPassword(
        `${name}-backup-repository-password`,
        { length: 40, special: false },
        { parent: this, protect },
      );
      const ref = args.backupKey.ref;
      // A key the operator gives (recovering an environment from nothing with the key of its
      // off-site backups) is used instead; the generated one stays, unused, so nothing protected goes.
      const given = args.backupKey.value;
      secretEntries.push(
        (given !== undefined ? pulumi.secret(given) : key.result).apply((v) => [ref, v] as [string, string]),
      );
    }

    for (const o of args.operatorSecrets ?? []) {
      // The operator's value, or (not required here) a stand-in kept by the data layer.
      const value =
        o.value !== undefined
          ? pulumi.secret(o.value)
          : new random.RandomPassword(
              `${name}-operator-${o.name}-standin`,
              { length: 32, special: false },
              { parent: this },
            ).result;
      secretEntries.push(pulumi.output(value).apply((v) => [`operator/${o.name}`, v] as [string, string]));
    }

    this.networks = pulumi
      .all(Object.entries(nets).map(([k, n]) => n.name.apply((nm) => [k, nm] as [string, string])))
      .apply((e) => Object.fromEntries(e) as Record<string, string>);
    this.secrets = pulumi.secret(
      pulumi.all(secretEntries).apply((e) => Object.fromEntries(e) as Record<string, string>),
    );
    this.networkIds = pulumi
      .all(Object.entries(nets).map(([k, n]) => n.id.apply((id) => [k, id] as [string, string])))
      .apply((e) => Object.fromEntries(e) as Record<string, string>);
    this.registerOutputs({ networks: this.networks, endpoints: this.endpoints, secrets: this.secrets });
  }

  private password(name: string, purpose: string): random.RandomPassword {
    return new random.RandomPassword(
      `${name}-${purpose}-password`,
      { length: 32, special: false },
      { parent: this },
    );
  }

  private volume(
    name: string,
    args: DatabaseStackArgs,
    purpose: string,
    labels: docker.types.input.VolumeLabel[],
    protect: boolean,
  ) {
    const v = new docker.Volume(
      `${name}-${purpose}`,
      { name: resourceName(args.system, args.environment, purpose), labels },
      { parent: this, protect, ...LABELS_AT_CREATE },
    );
    this.volumes.push(v);
    return v;
  }

  /** A data service's container (or Swarm service) from its plan; `secrets` holds the values of its files' keys. */
  private dataWorkload(
    name: string,
    args: DatabaseStackArgs,
    s: { name: string },
    plan: DataServicePlan,
    secrets: Record<string, pulumi.Output<string>>,
    labels: docker.types.input.ContainerLabel[],
    networks: docker.types.input.ContainerNetworksAdvanced[],
    protect: boolean,
  ): Workload {
    const volume = this.volume(name, args, plan.volume, labels, protect);
    return workload(
      `${name}-${s.name}`,
      {
        name: resourceName(args.system, args.environment, s.name),
        image: plan.image,
        command: plan.command,
        envs: plan.env,
        uploads: plan.files.map((f) => ({
          file: f.path,
          content: f.render ? pulumi.secret(renderFile(f, secrets)) : secrets[f.key],
          permissions: "0444",
        })),
        labels,
        networksAdvanced: networks,
        volumes: [{ volumeName: volume.name, containerPath: plan.dataPath }],
        healthcheck: dockerHealthcheck(plan.health),
        ...containerBaseline(plan.limits, plan.defaults),
        ...(plan.stopGraceSeconds !== undefined
          ? { stopTimeout: plan.stopGraceSeconds, destroyGraceSeconds: plan.stopGraceSeconds }
          : {}),
        wait: true,
        waitTimeout: plan.waitTimeout,
      },
      { settings: args.swarm, engine: args.dockerEngine, role: "data" },
      { parent: this, protect, ...LABELS_AT_CREATE },
    );
  }

  private server(
    name: string,
    args: DatabaseStackArgs,
    s: DatabaseServerSpec,
    labels: docker.types.input.ContainerLabel[],
    networks: docker.types.input.ContainerNetworksAdvanced[],
    protect: boolean,
    secrets: pulumi.Output<[string, string]>[],
  ): Workload {
    const root = this.password(`${name}-${s.name}`, "root");
    secrets.push(root.result.apply((p) => [`${s.name}/root`, p] as [string, string]));
    const dbPasswords = s.databases.map((d) => {
      const pw = this.password(`${name}-${s.name}-${d.name}`, "db");
      secrets.push(pw.result.apply((p) => [`${s.name}/${d.name}`, p] as [string, string]));
      return pulumi.all([d.name, pw.result]);
    });
    const container = this.dataWorkload(
      name,
      args,
      s,
      serverPlan(s),
      { [`${s.name}/root`]: root.result },
      labels,
      networks,
      protect,
    );
    if (s.databases.length > 0) {
      // Databases and users are created by SQL on stdin, so passwords appear
      // in no command line and no container environment.
      const sql = pulumi.all(dbPasswords).apply((pairs) => provisioningSql(s, Object.fromEntries(pairs)));
      new command.local.Command(
        `${name}-${s.name}-provision`,
        {
          create: pulumi.interpolate`docker exec -i ${execTarget(container)} sh -c '${adminClient(s.engine)}'`,
          stdin: pulumi.secret(sql),
          triggers: [container.id],
        },
        { parent: this, dependsOn: [container] },
      );
    }
    return container;
  }

  private cache(
    name: string,
    args: DatabaseStackArgs,
    c: CacheSpec,
    labels: docker.types.input.ContainerLabel[],
    networks: docker.types.input.ContainerNetworksAdvanced[],
    protect: boolean,
    secrets: pulumi.Output<[string, string]>[],
  ): Workload {
    const pw = this.password(`${name}-${c.name}`, "auth");
    secrets.push(pw.result.apply((p) => [c.name, p] as [string, string]));
    return this.dataWorkload(name, args, c, cachePlan(c), { [c.name]: pw.result }, labels, networks, protect);
  }

  private objectStore(
    name: string,
    args: DatabaseStackArgs,
    o: ObjectStoreSpec,
    labels: docker.types.input.ContainerLabel[],
    networks: docker.types.input.ContainerNetworksAdvanced[],
    protect: boolean,
    secrets: pulumi.Output<[string, string]>[],
  ): Workload {
    // The access key (MinIO's root user, SeaweedFS's identity): generated like a name, kept secret like the key.
    const access = new random.RandomString(
      `${name}-${o.name}-access-key`,
      { length: 20, special: false, upper: true, lower: false },
      { parent: this, additionalSecretOutputs: ["result"] },
    );
    const secret = this.password(`${name}-${o.name}`, "secret-key");
    secrets.push(access.result.apply((v) => [`${o.name}/access-key`, v] as [string, string]));
    secrets.push(secret.result.apply((v) => [`${o.name}/secret-key`, v] as [string, string]));
    const container = this.dataWorkload(
      name,
      args,
      o,
      objectStorePlan(o),
      { [`${o.name}/access-key`]: access.result, [`${o.name}/secret-key`]: secret.result },
      labels,
      networks,
      protect,
    );
    if ((o.buckets ?? []).length > 0) {
      new command.local.Command(
        `${name}-${o.name}-buckets`,
        {
          create: pulumi.interpolate`docker exec ${execTarget(container)} sh -c '${bucketScript(o)}'`,
          triggers: [container.id],
        },
        { parent: this, dependsOn: [container] },
      );
    }
    return container;
  }
}

/** A secret file's content: rendered from its key's value and those of `also`. */
function renderFile(f: SecretFile, secrets: Record<string, pulumi.Output<string>>): pulumi.Output<string> {
  const also = (f.also ?? []).map((k) => secrets[k].apply((v) => [k, v] as [string, string]));
  return pulumi
    .all([secrets[f.key], pulumi.all(also)])
    .apply(([v, a]) => (f.render ? f.render(v, Object.fromEntries(a)) : v));
}

/**
 * The buckets created inside the store's container: S3 PUT Bucket with curl (in the upstream
 * images of both kinds), signed with the keys from its secret files; 409 means it exists.
 */
export function bucketScript(o: ObjectStoreSpec): string {
  const kind = o.kind ?? "minio";
  const user =
    kind === "seaweedfs"
      ? seaweedfsUserExpr(SECRETS_DIR)
      : `$(cat ${SECRETS_DIR}/${MINIO_KEY_FILES["access-key"]}):$(cat ${SECRETS_DIR}/${MINIO_KEY_FILES["secret-key"]})`;
  return (o.buckets ?? [])
    .map(
      (bkt) =>
        `code=$(curl -s -o /dev/null -w "%{http_code}" --aws-sigv4 aws:amz:us-east-1:s3 --user "${user}" -X PUT http://127.0.0.1:${PORTS[kind]}/${bkt}); [ "$code" = 200 ] || [ "$code" = 409 ] || { echo "creating bucket ${bkt}: HTTP $code" >&2; exit 1; }`,
    )
    .join("; ");
}

function validate(args: DatabaseStackArgs): void {
  for (const o of args.objectStores ?? []) {
    if (o.kind !== undefined && !OBJECT_STORE_KINDS.includes(o.kind)) {
      throw new Error(`${o.name}.kind is "${String(o.kind)}"; allowed: ${OBJECT_STORE_KINDS.join(", ")}`);
    }
    for (const b of o.buckets ?? []) {
      if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(b)) {
        throw new Error(
          `${o.name}.buckets has "${b}": bucket names are 3-63 lower-case letters, digits, dots and dashes`,
        );
      }
    }
  }
  checkNamePart("system", args.system);
  checkNamePart("environment", args.environment);
  const keys = new Set(args.networks.map((n) => n.key));
  const names = new Set<string>();
  for (const s of [...args.servers, ...(args.caches ?? []), ...(args.objectStores ?? [])]) {
    checkNamePart("service name", s.name);
    if (names.has(s.name))
      throw new Error(`data service "${s.name}" is defined twice; service names must be unique`);
    names.add(s.name);
    for (const k of s.networks ?? []) {
      if (!keys.has(k)) {
        throw new Error(
          `${s.name}.networks names "${k}", which is not a data network; allowed: ${[...keys].join(", ")}`,
        );
      }
    }
  }
  const dataVolumes = [...args.servers, ...(args.caches ?? []), ...(args.objectStores ?? [])].map(dataVolume);
  const kept = new Set<string>();
  for (const v of args.appVolumes ?? []) {
    checkNamePart("appVolumes purpose", v.purpose);
    if (kept.has(v.purpose) || dataVolumes.includes(v.purpose))
      throw new Error(`appVolumes has "${v.purpose}" twice, or a data service's volume has that name`);
    kept.add(v.purpose);
  }
  for (const s of args.servers) {
    for (const d of s.databases) {
      checkIdentifier(`${s.name}.databases[].name`, d.name);
      if (d.user) checkIdentifier(`${s.name}.databases[].user`, d.user);
    }
  }
}
