#!/usr/bin/env node
// Command-line tools of n8n-nodes-hitl. Needs only Node and the compiled package (dist/).
'use strict';

const { main } = require('../dist/core/cli/main.js');

main(process.argv.slice(2), {
	out: (text) => process.stdout.write(text),
	err: (text) => process.stderr.write(text),
	env: process.env,
}).then(
	(code) => {
		process.exitCode = code;
	},
	(error) => {
		process.stderr.write(`n8n-nodes-hitl: ${error && error.stack ? error.stack : String(error)}\n`);
		process.exitCode = 2;
	},
);
