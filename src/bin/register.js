'use strict';
/*
 * Loaded first by every entry point (the CLI, mocha, the bench, each
 * plugin's isolate):
 * 1. reflect-metadata, before anything that uses tsyringe;
 * 2. the TypeScript hook (./ts-loader.js): .ts files run with no build step,
 *    with decorator metadata (constructor injection by type works), compiled
 *    once and cached;
 * 3. "host modules": a plugin, wherever its folder is, that requires
 *    `livehook`, `tsyringe`, `joi` or `reflect-metadata` gets the service's
 *    own copy, so that tokens, containers and schemas are shared.
 */
const path = require('node:path');
const Module = require('node:module');
const { installTypeScript, ROOT } = require('./ts-loader');

require('reflect-metadata');
installTypeScript();

const hostModules = {
  livehook: path.join(ROOT, 'src', 'plugin-api.ts'),
  tsyringe: require.resolve('tsyringe'),
  joi: require.resolve('joi'),
  'reflect-metadata': require.resolve('reflect-metadata'),
};

const originalResolve = Module._resolveFilename;
Module._resolveFilename = function resolveHostModules(request, parent, isMain, options) {
  if (Object.prototype.hasOwnProperty.call(hostModules, request)) return hostModules[request];
  return originalResolve.call(this, request, parent, isMain, options);
};
