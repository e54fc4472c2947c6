/**
 * The environment a plugin's isolate sees. The service's own variables hold
 * secrets (the callback token, the admin token, DATABASE_URL with its
 * password, the SMTP URL): a plugin sees only what any program needs to run,
 * unless its config grants "env".
 */
const ALWAYS = ['PATH', 'HOME', 'TZ', 'LANG', 'LC_ALL', 'NODE_ENV', 'TMPDIR'];

export function isolateEnv(granted: readonly string[], env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  if (granted.includes('env')) return { ...env };
  const out: NodeJS.ProcessEnv = {};
  for (const name of ALWAYS) if (env[name] !== undefined) out[name] = env[name];
  // The compile cache may be moved (read-only installs): plugins' .ts files are compiled the same way.
  if (env.LIVEHOOK_COMPILE_CACHE !== undefined) out.LIVEHOOK_COMPILE_CACHE = env.LIVEHOOK_COMPILE_CACHE;
  return out;
}
