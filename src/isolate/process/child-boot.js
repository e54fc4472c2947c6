'use strict';
/*
 * Entry point of a process-isolated plugin (see child-process-plugin.ts):
 * the service's loader (TypeScript, host modules), then the child's main.
 */
const path = require('node:path');
require('../../bin/register');
require(path.join(__dirname, 'child-main.ts'));
