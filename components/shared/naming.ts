/** Names of engine objects: `<system>-<env>-<purpose>`, e.g. `brandclub-prod-mariadb-data`. */

const NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

/** Throws when a name part would make an invalid Docker object name. */
export function checkNamePart(field: string, value: string): void {
  if (!NAME.test(value)) {
    throw new Error(
      `${field} is "${value}": use lower-case letters, digits and inner dashes (pattern ${NAME})`,
    );
  }
}

export function resourceName(system: string, environment: string, purpose: string): string {
  return `${system}-${environment}-${purpose}`;
}
