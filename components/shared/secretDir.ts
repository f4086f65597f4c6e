/** Where secrets are mounted in containers, as Docker Swarm does. */
export const SECRETS_DIR = "/run/secrets";
