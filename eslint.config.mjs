// Lint with n8n's own community-node rules: @n8n/eslint-plugin-community-nodes (the set @n8n/node-cli uses)
// and eslint-plugin-n8n-nodes-base (the classic node, credential and package.json rules).
//
// Deliberate departures from n8n's *verified* community node rules are listed here rule by rule, each
// scoped as narrowly as it can be, and repeated in the README ("Departures from n8n's verified-node rules").
// Nothing is switched off wholesale.
import tseslint from 'typescript-eslint';
import n8nCommunity from '@n8n/eslint-plugin-community-nodes';
import n8nNodesBase from 'eslint-plugin-n8n-nodes-base';
import * as jsoncParser from 'jsonc-eslint-parser';

const communityRecommended = n8nCommunity.configs.recommended;

export default [
	{ ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.test-tmp/**', '.demo/**', '.stryker-tmp*/**', 'reports/**', '**/*.mjs'] },
	...tseslint.configs.recommended,
	{
		// Plain CommonJS entry points and scripts run by Node directly (index.js, bin/, scripts/, gulpfile).
		files: ['**/*.js'],
		languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', process: 'readonly', __dirname: 'readonly', console: 'readonly' } },
		rules: { '@typescript-eslint/no-require-imports': 'off' },
	},
	{
		files: ['**/*.ts'],
		rules: {
			'@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
		},
	},
	{
		files: ['core/**/*.ts', 'nodes/**/*.ts', 'credentials/**/*.ts'],
		...communityRecommended,
		rules: {
			...communityRecommended.rules,
			// DEPARTURE 1 — runtime dependencies. Verified community nodes may not have any. This package is
			// a self-hosted package and needs well-kept libraries it would be unwise to re-implement: nodemailer
			// (SMTP), pg (the Postgres review store), luxon (time zones), sanitize-html and marked (the draft's preview). None has an
			// install script or native code, so n8n's --ignore-scripts installer installs them as-is.
			'@n8n/community-nodes/no-runtime-dependencies': 'off',
		},
	},
	{
		// DEPARTURE 1, continued — the import of nodemailer itself (the gate's SMTP sender) is what
		// no-restricted-imports flags; allowed in that one file, and node:net in the one beside it that opens
		// the sender's TCP connection with TCP_NODELAY (smtpSocket.ts says why).
		files: ['nodes/HitlGate/notify/email.ts', 'nodes/HitlGate/notify/smtpSocket.ts'],
		rules: { '@n8n/community-nodes/no-restricted-imports': 'off' },
	},
	{
		// DEPARTURE 1, continued — the review page shows draft HTML and Markdown as the recipient will see
		// them: sanitize-html (an allowlist sanitiser) and marked (Markdown, pure JS, no dependencies) are
		// imported in that one file, the page's sanitiser.
		// The same for jsdiff (`diff`, pure JavaScript, no dependencies): the word diff of "Preview changes".
		files: ['nodes/HitlGate/page/sanitize.ts', 'nodes/HitlGate/notify/htmlText.ts', 'nodes/HitlGate/page/changes.ts'],
		rules: { '@n8n/community-nodes/no-restricted-imports': 'off' },
	},
	{
		// DEPARTURE 2 — filesystem and process access. The embedded review store is an append-only file under
		// the n8n user folder (fsync, O_APPEND, an inter-process lock), so the store core imports node:fs and
		// reads N8N_USER_FOLDER. Scoped to the store, the evidence vault beside it, the auditor's tree over an
		// exported log file (core/tlog/audit.ts) and the CLI only — and nodes/shared/instanceKey.ts, which reads
		// n8n's own encryption key (env or <user folder>/.n8n/config) to derive the gate's default signing key.
		files: ['core/store/**/*.ts', 'core/evidence/**/*.ts', 'core/cli/**/*.ts', 'core/verify.ts', 'core/lineReader.ts', 'core/tlog/audit.ts', 'nodes/shared/reviewStore.ts', 'nodes/shared/instanceKey.ts'],
		rules: {
			'@n8n/community-nodes/no-restricted-imports': 'off',
			'@n8n/community-nodes/no-restricted-globals': 'off',
		},
	},
	{
		// Not a departure from n8n's rules but from where they apply: core/ is deliberately free of n8n (no
		// n8n-workflow import), so it cannot throw NodeOperationError. It throws its own typed errors, and the
		// node adapters turn them into NodeOperationError / NodeApiError with itemIndex and the cause kept.
		files: ['core/**/*.ts'],
		rules: { '@n8n/community-nodes/require-node-api-error': 'off' },
	},
	{
		// Not one of n8n's rules: the node adapters reach core only through its public modules — a top-level
		// file (core/chain, core/records, …) or a folder's index (core/store, core/links, core/router) —
		// never a file inside a core folder, so what a folder keeps to itself can change without touching
		// the nodes. ESLint's own rule (not @n8n/community-nodes/no-restricted-imports, which is about packages).
		files: ['nodes/**/*.ts', 'credentials/**/*.ts'],
		rules: {
			'no-restricted-imports': [
				'error',
				{
					patterns: [
						{
							group: ['**/core/*/*'],
							message: "Import core through its public modules: a folder's index (e.g. '../../core/store', not '../../core/store/types'). Export what you need from that index.",
						},
					],
				},
			],
		},
	},
	{
		files: ['nodes/**/*.ts'],
		plugins: { 'n8n-nodes-base': n8nNodesBase },
		rules: {
			...n8nNodesBase.configs.nodes.rules,
			// Two classic rules contradict the newer community rule set: they demand the string literal
			// ['main'], while @n8n/community-nodes/node-connection-type-literal demands NodeConnectionTypes.Main
			// (what n8n's own modern nodes use). The newer rule wins; these two are off for that reason only.
			'n8n-nodes-base/node-class-description-inputs-wrong-regular-node': 'off',
			'n8n-nodes-base/node-class-description-outputs-wrong': 'off',
		},
	},
	{
		// DEPARTURE 3 — n8n's own SMTP credential. The community rules forbid referencing a credential type
		// another package defines. The gate offers n8n's `smtp` credential (Email Credential: SMTP, the default
		// from node version 1.1) on purpose: a builder who already has one gets a first approval without a
		// second copy of their mail password. n8n does not restrict `smtp` to its own nodes, the gate reads
		// only the fields n8n's Send Email node reads, and this package's own HITL SMTP stays available.
		// HITL Tool Approval mails through the gate's code and offers the same two credentials.
		files: ['nodes/HitlGate/HitlGate.node.ts', 'nodes/HitlToolApproval/HitlToolApproval.node.ts'],
		rules: {
			'@n8n/community-nodes/no-credential-reuse': 'off',
			'@n8n/community-nodes/valid-credential-references': 'off',
			'n8n-nodes-base/node-class-description-credentials-name-unsuffixed': 'off',
		},
	},
	{
		files: ['credentials/**/*.ts'],
		plugins: { 'n8n-nodes-base': n8nNodesBase },
		rules: {
			...n8nNodesBase.configs.credentials.rules,
			// The classic rule wants a camelCase docs.n8n.io slug (it was written for n8n's main repository);
			// the community rule credential-documentation-url wants a full URL. A community package has no
			// docs.n8n.io page, so the community rule wins.
			'n8n-nodes-base/cred-class-field-documentation-url-miscased': 'off',
		},
	},
	{
		files: ['package.json'],
		languageOptions: { parser: jsoncParser },
		plugins: { 'n8n-nodes-base': n8nNodesBase },
		rules: { ...n8nNodesBase.configs.community.rules },
	},
];
