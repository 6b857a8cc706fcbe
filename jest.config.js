// Three rungs of the test ladder, each a jest project so they can run alone or together.
// Tests are TypeScript run through ts-jest and never compiled into dist.
const base = {
	preset: 'ts-jest',
	testEnvironment: 'node',
	transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
	// A Stryker sandbox (npm run test:mutation) under the checkout holds a second package.json.
	modulePathIgnorePatterns: ['<rootDir>/.stryker-tmp'],
};

module.exports = {
	projects: [
		{ ...base, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
		{ ...base, displayName: 'workflow', testMatch: ['<rootDir>/test/workflow/**/*.test.ts'] },
		{
			...base,
			displayName: 'server',
			testMatch: ['<rootDir>/test/server/**/*.test.ts'],
			// One real n8n (+ SMTP capture + Postgres) for the whole server suite; see test/harness/.
			globalSetup: '<rootDir>/test/server/globalSetup.ts',
			globalTeardown: '<rootDir>/test/server/globalTeardown.ts',
			setupFilesAfterEnv: ['<rootDir>/test/server/jest.setup.ts'],
			slowTestThreshold: 60,
		},
	],
};
