// Putting many items on hold on a real n8n server: the gate (batch and per-item mode) against n8n's own
// Send Email "send and wait" in the same run (scripts/bench/server/hold.ts).
//   npm run bench -- hold                   200 items × 2 reviewers
//   npm run bench -- hold --items 1000
'use strict';
const { runServerBench } = require('./lib/serverBench');

module.exports = { run: async (argv) => runServerBench('hold', argv) };
