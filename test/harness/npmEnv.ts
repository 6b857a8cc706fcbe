/**
 * Why: `npm test` / `npm run …` export this repository's .npmrc (ignore-scripts=true) and its own run
 * state to every child process as npm_config_* / npm_package_* / npm_lifecycle_* variables. A nested
 * npm (the package install into n8n's user folder, n8n's own community-package npm calls, the n8n
 * installer script) would silently inherit them. The TypeScript twin of scripts/lib/npm-env.sh.
 */

/** True for variables that only exist because an outer npm run exported them. */
export function isInheritedNpmVariable(name: string): boolean {
	return /^(npm_|NPM_CONFIG_)/.test(name) || name === 'INIT_CWD';
}

/** `env` without the outer npm run's variables; what a nested npm or n8n should start with. */
export function withoutInheritedNpmConfig(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
	return Object.fromEntries(Object.entries(env).filter(([name]) => !isInheritedNpmVariable(name)));
}
