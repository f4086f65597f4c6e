import { missingStandIns, standInImages } from "../../cli/checks/localImages";
import { BLUEPRINTS, resolve } from "../../blueprints";

/** `docker image inspect` of several refs: an id per found one, a stderr line per missing one, status 1 if any is missing. */
const present = (have: string[]) => (refs: string[]) => {
  const missing = refs.filter((ref) => !have.includes(ref));
  return {
    status: missing.length ? 1 : 0,
    stdout: refs
      .filter((ref) => have.includes(ref))
      .map(() => "sha256:1")
      .join("\n"),
    stderr: missing.map((ref) => `Error response from daemon: No such image: ${ref}`).join("\n"),
  };
};

describe("local stand-ins the engine lacks", () => {
  it("finds every shipyard/ image the resolved system names, with where it is named", () => {
    const system = resolve(BLUEPRINTS.demo, { environment: "dev", imageSet: "local" });
    const images = standInImages(system);
    expect(images.size).toBeGreaterThan(2);
    for (const ref of images.keys()) expect(ref).toMatch(/^shipyard\/[a-z0-9._-]+:bookworm$/);
    expect(images.get("shipyard/redis:bookworm")).toBe("images.redis");
    const upstream = resolve(BLUEPRINTS.demo, { environment: "dev", imageSet: "upstream" });
    expect(standInImages(upstream).size).toBe(0);
  });

  it("refuses a missing one, naming the image, where it is named and the build command", () => {
    const images = new Map([
      ["shipyard/app:bookworm", "app.services[0].image"],
      ["shipyard/nosuch:v9", "app.services[1].image"],
    ]);
    expect(missingStandIns(images, present(["shipyard/app:bookworm", "shipyard/nosuch:v9"]))).toBeUndefined();
    const p = missingStandIns(images, present(["shipyard/app:bookworm"]))!;
    expect(p).toMatch(/nothing was changed/);
    expect(p).toMatch(/Docker Hub/);
    expect(p).toContain(
      "shipyard/nosuch:v9 (the system's app.services[1].image): build it with `bash scripts/images.sh nosuch`",
    );
    expect(p).not.toContain("shipyard/app:bookworm");
  });

  it("does not mistake an engine that cannot answer for a missing image", () => {
    const images = new Map([["shipyard/app:bookworm", "x"]]);
    expect(() =>
      missingStandIns(images, () => ({
        status: 1,
        stdout: "",
        stderr: "Cannot connect to the Docker daemon",
      })),
    ).toThrow(/cannot ask the engine for image shipyard\/app:bookworm: Cannot connect/);
  });

  it("ignores names that are not image references", () => {
    expect(standInImages({ a: "org/shipyard/demo-dev", b: "shipyard/", c: ["shipyard/x:1"] }).size).toBe(1);
  });
});
