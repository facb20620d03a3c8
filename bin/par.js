#!/usr/bin/env node
// The `par` command: the CLI in client/cli, run from its TypeScript source.
'use strict';
require('./ts-hook');
require('../client/cli/main.ts');
