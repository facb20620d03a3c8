#!/usr/bin/env node
// Runs a TypeScript entry point through the esbuild require hook (bin/ts-hook.js): `node bin/run-ts.js file.ts [args]`.
'use strict';
require('./ts-hook');
const path = require('node:path');
const entry = process.argv[2];
if (!entry) {
  process.stderr.write('usage: node bin/run-ts.js FILE.ts [args...]\n');
  process.exit(2);
}
process.argv.splice(1, 2, path.resolve(entry));
require(path.resolve(entry));
