export * from "./settings";
export * from "./policy";
export * from "./service";
export * from "./workload";
