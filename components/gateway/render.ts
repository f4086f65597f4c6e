/**
 * The gateway's httpd.conf: a complete configuration for an image with the
 * httpd:2.4 interface (ServerRoot /usr/local/apache2, modules under
 * modules/). One name-based virtual host per environment; the first one is
 * Apache's default for any other Host. In each, the webhook path goes straight
 * to the platform API and everything else to the environment's edge proxy,
 * with the Host header kept (the proxy routes by it) and WebSocket upgrades
 * passed through (Socket.IO). Connections are not pooled (`disablereuse=On`),
 * so each request resolves the upstream's name again: a replaced container
 * (new address, same alias) is reached at once, without a reload.
 */
import { FORMS } from "../shared/grammar";
import type { GatewayBackend } from "./types";

export const GATEWAY_CONF = "/usr/local/apache2/conf/httpd.conf";
/** Served by Apache itself (the image's htdocs/index.html): the health check's path. */
export const GATEWAY_HEALTH_PATH = "/__gateway/health";

const UPSTREAM = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?:[0-9]{1,5}$/;
const PATH = /^\/[A-Za-z0-9._~/-]*\/$/;

export interface GatewayRenderArgs {
  backends: GatewayBackend[];
  webhookPath?: string;
  timeoutSeconds?: number;
  /** ServerName of the default virtual host when its backend names no host. */
  serverName: string;
}

function check(what: string, value: string, ok: boolean, allowed: string): string {
  if (!ok) throw new Error(`gateway ${what} is ${JSON.stringify(value)}; allowed: ${allowed}`);
  return value;
}

/**
 * Modules by name: upstream httpd builds every one shared, Debian's apache2
 * has unixd and log_config built in (LoadModule of a built-in module is an
 * error there), so each load is guarded by <IfModule !name>.
 */
const MODULES = [
  "mpm_event",
  "authz_core",
  "unixd",
  "log_config",
  "alias",
  "headers",
  "proxy",
  "proxy_http",
  "proxy_wstunnel",
];

function loadModules(): string {
  return MODULES.map(
    (m) => `<IfModule !${m}_module>\n    LoadModule ${m}_module modules/mod_${m}.so\n</IfModule>`,
  ).join("\n");
}

export function renderGatewayConf(args: GatewayRenderArgs): string {
  const webhook = check(
    "webhookPath",
    args.webhookPath ?? "/webhook/",
    PATH.test(args.webhookPath ?? "/webhook/"),
    "a path starting and ending with /, of letters, digits, . _ ~ - /",
  );
  const timeout = args.timeoutSeconds ?? 30;
  check("timeoutSeconds", String(timeout), Number.isInteger(timeout) && timeout > 0, "a positive integer");
  if (args.backends.length === 0)
    throw new Error("gateway backends is empty; allowed: at least one environment");
  const seen = new Map<string, string>();
  const vhosts = args.backends.map((b, i) => {
    check("environment", b.environment, FORMS.engineName.test(b.environment), FORMS.engineName.allowed);
    check(
      `${b.environment} webhookUpstream`,
      b.webhookUpstream,
      UPSTREAM.test(b.webhookUpstream),
      "host:port",
    );
    check(`${b.environment} proxyUpstream`, b.proxyUpstream, UPSTREAM.test(b.proxyUpstream), "host:port");
    for (const h of b.hosts) {
      check(`${b.environment} host`, h, FORMS.hostName.test(h), FORMS.hostName.allowed);
      const other = seen.get(h);
      if (other)
        throw new Error(`gateway host ${h} is named by ${other} and ${b.environment}; allowed: once`);
      seen.set(h, b.environment);
    }
    const [first, ...rest] = b.hosts.length
      ? b.hosts
      : [i === 0 ? args.serverName : `${b.environment}.invalid`];
    const api = `http://${b.webhookUpstream}${webhook}`;
    const proxy = `http://${b.proxyUpstream}/`;
    return [
      `# ${b.environment}${i === 0 ? " (default: any other Host)" : ""}`,
      `<VirtualHost *:80>`,
      `    ServerName ${first}`,
      ...(rest.length ? [`    ServerAlias ${rest.join(" ")}`] : []),
      `    ProxyPreserveHost On`,
      `    ProxyPass "/__gateway/" "!"`,
      `    ProxyPass "${webhook}" "${api}" disablereuse=On timeout=${timeout}`,
      `    ProxyPassReverse "${webhook}" "${api}"`,
      `    ProxyPass "/" "${proxy}" disablereuse=On timeout=${timeout} upgrade=websocket`,
      `    ProxyPassReverse "/" "${proxy}"`,
      `</VirtualHost>`,
    ].join("\n");
  });
  return `# Rendered by shipyard's Gateway component (components/gateway); do not edit.
ServerRoot "/usr/local/apache2"
Listen 80

${loadModules()}

User www-data
Group www-data
ServerName ${args.serverName}
ServerTokens Prod
ServerSignature Off
TraceEnable Off
Timeout ${timeout + 30}
KeepAlive On
PidFile logs/httpd.pid
ErrorLog /proc/self/fd/2
LogLevel warn
LogFormat "%h %{Host}i \\"%r\\" %>s %b %D \\"%{User-Agent}i\\"" gateway
CustomLog /proc/self/fd/1 gateway

<Directory />
    AllowOverride None
    Require all denied
</Directory>
<Directory "/usr/local/apache2/htdocs">
    AllowOverride None
    Require all granted
</Directory>
Alias "${GATEWAY_HEALTH_PATH}" "/usr/local/apache2/htdocs/index.html"
<Location "${GATEWAY_HEALTH_PATH}">
    ForceType text/html
</Location>

${vhosts.join("\n\n")}
`;
}
