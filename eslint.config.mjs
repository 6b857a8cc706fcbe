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
	{ ignores: ['dist/**', 'node_modules/**', 'coverage/**', '**/*.js', '**/*.mjs', '!index.js'] },
	...tseslint.configs.recommended,
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
			// (SMTP), pg (the Postgres review store), axios (notification webhooks), luxon (dates). None has an
			// install script or native code, so n8n's --ignore-scripts installer installs them as-is.
			'@n8n/community-nodes/no-runtime-dependencies': 'off',
		},
	},
	{
		// DEPARTURE 2 — filesystem and process access. The embedded review store is an append-only file under
		// the n8n user folder (fsync, O_APPEND, an inter-process lock), so the store core imports node:fs and
		// reads N8N_USER_FOLDER. Scoped to the store and the verify CLI only.
		files: ['core/store/**/*.ts', 'core/cli/**/*.ts', 'core/verify.ts', 'nodes/shared/reviewStore.ts'],
		rules: {
			'@n8n/community-nodes/no-restricted-imports': 'off',
			'@n8n/community-nodes/no-restricted-globals': 'off',
		},
	},
	{
		files: ['nodes/**/*.ts'],
		plugins: { 'n8n-nodes-base': n8nNodesBase },
		rules: { ...n8nNodesBase.configs.nodes.rules },
	},
	{
		files: ['credentials/**/*.ts'],
		plugins: { 'n8n-nodes-base': n8nNodesBase },
		rules: { ...n8nNodesBase.configs.credentials.rules },
	},
	{
		files: ['package.json'],
		languageOptions: { parser: jsoncParser },
		plugins: { 'n8n-nodes-base': n8nNodesBase },
		rules: { ...n8nNodesBase.configs.community.rules },
	},
];
