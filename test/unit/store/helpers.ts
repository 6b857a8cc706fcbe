import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..', '.test-tmp');

/** A fresh temp folder under the repo's .test-tmp (git-ignored); removed by `cleanup`. */
export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
	mkdirSync(ROOT, { recursive: true });
	const dir = mkdtempSync(join(ROOT, `${prefix}-`));
	return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export const KEY = { keyId: 'k1', secret: 'a'.repeat(16) + 'checkpoint-secret-0123456789' };
