// Written by `payload generate:importmap`: this config uses no custom components.
export const importMap = {};
