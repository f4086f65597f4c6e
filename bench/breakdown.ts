/**
 * Where the time of one `up` goes, from the engine events (timed on arrival)
 * and the containers' start times: per layer, CLI and engine start until the
 * first resource, the resource operations, and the end (outputs, state, exit).
 */
import type { EngineEvent } from "@pulumi/pulumi/automation";

interface Step {
  urn: string;
  type: string;
  op: string;
  start: number;
  end?: number;
}

export interface LayerTimeline {
  layer: string;
  /** When `up` of the layer was asked for (before the workspace and config are set). */
  called: number;
  /** prelude: the CLI has started and the engine begins the update. */
  prelude?: number;
  /** The first resource the program registered (the language host and program have started). */
  firstResource?: number;
  /** App layer: when it read the data stack (its run waits for the data layer's until then). */
  dataRead?: number;
  lastOutputs?: number;
  summary?: number;
  done?: number;
  steps: Map<string, Step>;
}

/** Progress lines of the deploy command worth a timestamp: a layer begins, Pulumi runs or not, the checks before a change. */
const MILESTONE = /^==>|running Pulumi|unchanged since|policy check before any change/;

export class Breakdown {
  private layers: LayerTimeline[] = [];
  private readonly t0 = Date.now();
  /** The operation being measured ("cold up", "change", "destroy"): it names its layers. */
  private op = "";
  private opStarted = Date.now();
  private milestones: string[] = [];

  /** The next events and lines belong to this operation (its layers are named "<op> <layer>"). */
  begin(op: string): void {
    this.op = op;
    this.opStarted = Date.now();
    this.milestones.push(`${op}: called at ${this.at(this.opStarted)}s`);
  }

  private name(layer: string): string {
    return this.op ? `${this.op} ${layer}` : layer;
  }

  private at(t: number): number {
    return Math.round((t - this.t0) / 100) / 10;
  }

  /** One progress line of the deploy command (the target's `log`). */
  line(text: string): void {
    if (MILESTONE.test(text))
      this.milestones.push(
        `${this.op}: +${Math.round((Date.now() - this.opStarted) / 100) / 10}s ${text.slice(0, 140)}`,
      );
  }

  /** Call before each layer's `up`; the target's `onEvent` then feeds `event`. */
  startLayer(layer: string): void {
    this.layers.push({ layer: this.name(layer), called: Date.now(), steps: new Map() });
  }

  /** Ends the layers of one `up` that ran them side by side, from each layer's own duration. */
  finish(results: { layer: string; seconds: number }[]): void {
    for (const r of results) {
      const l = this.layers.find((x) => x.layer === this.name(r.layer) && x.done === undefined);
      if (l) l.done = l.called + r.seconds * 1000;
    }
  }

  /** A layer that began and ended at these times (destroy: one layer after the other). */
  span(layer: string, called: number, done: number): void {
    const l = this.layers.find((x) => x.layer === this.name(layer) && x.done === undefined);
    if (l) Object.assign(l, { called, done });
    else this.layers.push({ layer: this.name(layer), called, done, steps: new Map() });
  }

  /** What happened between the operation's call and its first layer (plan, checks, stacks opened). */
  before(seconds: number, what: string): void {
    this.milestones.push(`${this.op}: ${seconds.toFixed(1)}s ${what}`);
  }

  event(layer: string, e: EngineEvent): void {
    const now = Date.now();
    layer = this.name(layer);
    let l = this.layers.find((x) => x.layer === layer && x.done === undefined);
    if (!l) {
      l = { layer, called: now, steps: new Map() };
      this.layers.push(l);
    }
    if (e.preludeEvent) l.prelude ??= now;
    if (e.summaryEvent) l.summary = now;
    const pre = e.resourcePreEvent?.metadata;
    if (pre) {
      l.firstResource ??= now;
      if (pre.type === "pulumi:pulumi:StackReference" && pre.op === "read") l.dataRead ??= now;
      l.steps.set(pre.urn, { urn: pre.urn, type: pre.type, op: pre.op, start: now });
    }
    const out = e.resOutputsEvent?.metadata;
    if (out) {
      const s = l.steps.get(out.urn);
      if (s) s.end = now;
      l.lastOutputs = now;
    }
  }

  /** Timestamped progress lines of each measured operation. */
  lines(): string[] {
    return this.milestones;
  }

  /** Seconds per phase per layer, and the slowest resource operations. */
  report(): Record<string, unknown>[] {
    const sec = (a?: number, b?: number) => (a && b ? Math.round((b - a) / 100) / 10 : null);
    return this.layers.map((l) => {
      const steps = [...l.steps.values()].filter((s) => s.op !== "same" && s.end);
      const containers = steps.filter((s) => s.type === "docker:index/container:Container");
      return {
        layer: l.layer,
        total: sec(l.called, l.done),
        "workspace + config + CLI start until prelude": sec(l.called, l.prelude),
        "prelude until first resource (language host, TypeScript program start, plugins)": sec(
          l.prelude,
          l.firstResource,
        ),
        "first resource until last outputs (resource operations, incl. health waits)": sec(
          l.firstResource,
          l.lastOutputs,
        ),
        ...(l.dataRead
          ? { "of which waiting for the data layer's run to end": sec(l.firstResource, l.dataRead) }
          : {}),
        "last outputs until summary (outputs, state)": sec(l.lastOutputs, l.summary),
        "summary until the call returned (CLI exit, policy pack report; destroy: stack removed)": sec(
          l.summary,
          l.done,
        ),
        "container operations, summed":
          Math.round(containers.reduce((a, s) => a + (s.end! - s.start), 0) / 100) / 10,
        // Each operation with when it began (seconds since the layer's first resource): which ran at once.
        slowest: steps
          .sort((a, b) => b.end! - b.start - (a.end! - a.start))
          .slice(0, 10)
          .map(
            (s) =>
              `${s.op} ${s.urn.split("::").pop()} ${sec(s.start, s.end)}s (from +${sec(l.firstResource, s.start) ?? 0}s)`,
          ),
        startedAtSeconds: sec(this.t0, l.called),
      };
    });
  }
}
