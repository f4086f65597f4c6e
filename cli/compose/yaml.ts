/**
 * A small YAML writer for the compose file: mappings, sequences, strings,
 * numbers and booleans. Strings are double-quoted (JSON escapes are valid YAML)
 * and `$` is doubled, because docker-compose interpolates `$` in every string.
 */
export type YamlValue = string | number | boolean | YamlValue[] | { [key: string]: YamlValue };

function scalar(v: string | number | boolean): string {
  return typeof v === "string" ? JSON.stringify(v.replace(/\$/g, "$$$$")) : String(v);
}

function isEmpty(v: YamlValue): boolean {
  return typeof v === "object" && Object.keys(v).length === 0;
}

function lines(v: YamlValue, indent: string): string[] {
  if (Array.isArray(v)) {
    return v.flatMap((item) => {
      if (typeof item !== "object" || isEmpty(item)) return [`${indent}- ${inline(item)}`];
      const [first, ...rest] = lines(item, `${indent}  `);
      return [`${indent}- ${first.trimStart()}`, ...rest];
    });
  }
  if (typeof v === "object") {
    return Object.entries(v).flatMap(([k, item]) =>
      typeof item !== "object" || isEmpty(item)
        ? [`${indent}${k}: ${inline(item)}`]
        : [`${indent}${k}:`, ...lines(item, `${indent}  `)],
    );
  }
  return [`${indent}${scalar(v)}`];
}

function inline(v: YamlValue): string {
  if (Array.isArray(v)) return "[]";
  if (typeof v === "object") return "{}";
  return scalar(v);
}

export function toYaml(v: { [key: string]: YamlValue }, header = ""): string {
  return header + lines(v, "").join("\n") + "\n";
}
