import { Component, signal } from "@angular/core";

/** The WebMeteor front: it talks to the platform API at /api/ and to the alert service over Socket.IO. */
@Component({
  selector: "app-root",
  template: `
    <h1>WebMeteor</h1>
    <p>Platform status: {{ status() }}</p>
  `,
})
export class AppComponent {
  readonly status = signal("loading");

  constructor() {
    fetch("/api/health")
      .then((r) => r.json())
      .then((b: { status?: string }) => this.status.set(b.status ?? "unknown"))
      .catch(() => this.status.set("unreachable"));
  }
}
