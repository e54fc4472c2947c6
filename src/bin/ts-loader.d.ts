/** Types of ts-loader.js (the TypeScript require hook), for the TypeScript that uses it. */
export function installTypeScript(): void;
/** The compiled JavaScript of a .ts file: from the cache, else compiled (and cached when possible). */
export function compiled(filename: string, source: string): string;
export const CACHE_DIR: string;
export const ROOT: string;
/** Every .ts file under `dir` (not node_modules) into the cache. */
export function precompileTree(dir: string, onError?: (file: string, err: Error) => void): void;
/** From now on this thread compiles through `compile` instead of loading the compiler. */
export function useRemoteCompiler(compile: (filename: string, source: string) => string): void;
