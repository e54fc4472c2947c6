/** Types of ts-loader.js (the TypeScript require hook), for the TypeScript that uses it. */
export function installTypeScript(): void;
/** The compiled JavaScript of a .ts file: from the cache, else compiled (and cached when possible). */
export function compiled(filename: string, source: string): string;
export const CACHE_DIR: string;
export const ROOT: string;
