export * from "./naming";
export * from "./labels";
export * from "./health";
export * from "./resources";
export * from "./secretFile";
export * from "./engine";
export * from "./dockerSocket";
export * from "./upstreamFormat";
