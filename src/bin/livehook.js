#!/usr/bin/env node
'use strict';
// The `livehook` command (and `npm start`, which is `livehook serve`).
require('./register');
require('../cli/main.ts').main(process.argv.slice(2));
