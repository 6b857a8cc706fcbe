// Decision → resume and the decision POST's answer on a real n8n server, against n8n's own Wait node in
// the same run (scripts/bench/server/resume.ts). It starts the server suite's stack (n8n with this
// package installed as users install it, an SMTP capture): about a minute before the first round.
//   npm run bench -- resume                 20 rounds
//   npm run bench -- resume --rounds 50
'use strict';
const { runServerBench } = require('./lib/serverBench');

module.exports = { run: async (argv) => runServerBench('resume', argv) };
