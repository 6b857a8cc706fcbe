// The jest config Stryker runs for mutation testing (stryker.config.json, `npm run test:mutation`).
// It is the `unit` project of jest.config.js (same preset, transform, environment), narrowed to the unit
// tests written for the mutated core modules. Stryker re-runs tests for every mutant, and a mutant in
// code that runs at load time ("static") re-runs every related test file; the other unit tests (gate
// pages, store backends, the review-log node's helpers, child-process and browser tests) exercise these
// modules only indirectly and would multiply the run time. See docs/mutation-testing.md.
const { projects } = require('./jest.config.js');

const unit = projects.find((project) => project.displayName === 'unit');

module.exports = {
	...unit,
	rootDir: __dirname,
	testMatch: [
		'<rootDir>/test/unit/mutation/**/*.test.ts', // written from surviving mutants
		'<rootDir>/test/unit/canonical/**/*.test.ts', // core/canonicalJson.ts
		'<rootDir>/test/unit/gate/linkToken.test.ts', // core/links/linkToken.ts
		'<rootDir>/test/unit/gate/csrf.test.ts', // core/links/csrf.ts
		'<rootDir>/test/unit/router/**/*.test.ts', // core/router/router.ts (and the rest of the router)
		'<rootDir>/test/unit/store/tamper.test.ts', // core/verify.ts, core/chain.ts, core/checkpoint.ts
		'<rootDir>/test/unit/gate/ledger.test.ts', // nodes/HitlGate/ledger.ts, core/links/decisionMac.ts (the decision path)
		'<rootDir>/test/unit/gate/timeOnPage.test.ts', // nodes/HitlGate/timeOnPage.ts (a click too soon decides nothing)
		'<rootDir>/test/unit/gate/rubberStamp.test.ts', // nodes/HitlGate/timeOnPage.ts (the rubber-stamp thresholds and judgement)
		'<rootDir>/test/unit/deadline/action.test.ts', // core/deadline/action.ts (the deadline worker's signed order)
		'<rootDir>/test/unit/deadline/plan.test.ts', // core/deadline/plan.ts (reminders, escalation levels, who may decide when)
		'<rootDir>/test/unit/gate/oneTimeCode.test.ts', // core/links/oneTimeCode.ts (a decision needs the latest, unspent, unexpired code)
		'<rootDir>/test/unit/gate/decisionMacOneTimeCode.test.ts', // core/links/decisionMac.ts (v2: the code's acceptance under the MAC)
		'<rootDir>/test/unit/links/reviewLinks.test.ts', // core/links/reviewLinks.ts (the probe, the relayed-client header)
		'<rootDir>/test/unit/gate/quorumTally.test.ts', // nodes/HitlGate/quorum.ts (its pure rules: tally, final decision, turn)
		'<rootDir>/test/unit/toolApproval/**/*.test.ts', // nodes/HitlToolApproval/toolCall.ts, risk.ts (what the AI Agent reads as approval)
	],
	// Transpile only: Stryker runs the suite once per mutant, and type-checking every test file again each
	// time cost most of the run. Type errors are caught by `npm run typecheck`; a mutant that would not
	// type-check still runs and is killed or survives on its behaviour.
	transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', isolatedModules: true }] },
	// A Stryker sandbox left under the checkout holds a second copy of package.json and the tests.
	modulePathIgnorePatterns: ['<rootDir>/.stryker-tmp'],
};
