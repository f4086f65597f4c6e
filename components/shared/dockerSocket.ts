/**
 * The Docker socket for the containers that read the engine's API (Traefik's
 * provider, promtail's service discovery, cAdvisor), always mounted read-only.
 */

/** The host's socket, the bind mount's source. */
export const HOST_DOCKER_SOCKET = "/var/run/docker.sock";

/**
 * Where a container gets it: /run, not /var/run. In Debian and Alpine images
 * /var/run is a symlink to /run, and since the fix for GHSA-vp62-88p7-qqf5
 * (moby: os.Root for mount destinations) an engine refuses any archive upload
 * (PUT /containers/{id}/archive, the provider's `uploads`) into a container that
 * has a bind mount under such a symlink: `mkdirat var/run: statat var/run: path
 * escapes from parent` on Debian's docker.io 28.5.2+dfsg4, `mkdirat var/run:
 * file exists` on Docker 29.5 (moby issue 52653, fixed by PR 52655). The
 * proxy's and promtail's configuration files are such uploads.
 */
export const DOCKER_SOCKET = "/run/docker.sock";

/** The read-only bind mount of the socket, as a container's `volumes` entry. */
export const dockerSocketMount = {
  hostPath: HOST_DOCKER_SOCKET,
  containerPath: DOCKER_SOCKET,
  readOnly: true,
} as const;
