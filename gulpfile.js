// Copies node and credential icons next to the compiled code, where n8n looks for them (`file:...svg`).
const path = require('path');
const { src, dest, task } = require('gulp');

function copyIcons() {
	const nodeIcons = src('nodes/**/*.{png,svg}');
	const nodeDestination = path.resolve('dist', 'nodes');
	nodeIcons.pipe(dest(nodeDestination));

	const credentialIcons = src('credentials/**/*.{png,svg}', { allowEmpty: true });
	const credentialDestination = path.resolve('dist', 'credentials');
	return credentialIcons.pipe(dest(credentialDestination));
}

task('build:icons', copyIcons);
