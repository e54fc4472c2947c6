'use strict';
/*
 * Makes the TypeScript sources (and .ts plugins) run with no build step.
 *
 * Loaded first by every entry point (the CLI, mocha, the bench):
 * 1. reflect-metadata, before anything that uses tsyringe;
 * 2. @swc-node/register with our tsconfig, so .ts files compile on require
 *    with decorator metadata (constructor injection by type works);
 * 3. "host modules": a plugin, wherever its folder is, that requires
 *    `livehook`, `tsyringe`, `joi` or `reflect-metadata` gets the service's
 *    own copy, so that tokens, containers and schemas are shared.
 */
const path = require('node:path');
const Module = require('node:module');

const root = path.resolve(__dirname, '..', '..');
process.env.SWC_NODE_PROJECT = process.env.SWC_NODE_PROJECT || path.join(__dirname, 'tsconfig.runtime.json');

require('reflect-metadata');
require('@swc-node/register');

const hostModules = {
  livehook: path.join(root, 'src', 'plugin-api.ts'),
  tsyringe: require.resolve('tsyringe'),
  joi: require.resolve('joi'),
  'reflect-metadata': require.resolve('reflect-metadata'),
};

const originalResolve = Module._resolveFilename;
Module._resolveFilename = function resolveHostModules(request, parent, isMain, options) {
  if (Object.prototype.hasOwnProperty.call(hostModules, request)) return hostModules[request];
  return originalResolve.call(this, request, parent, isMain, options);
};
