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

import { createRecord, normaliseInput, ZERO_HASH } from '../../../core/chain';
import type { ReviewRecord, ReviewRecordInput } from '../../../core/store/types';

/** Builds a valid chain in memory: records and their stored lines (without "\n"). */
export function buildLog(inputs: ReviewRecordInput[], chain = 'main', start = { seq: 0, hash: ZERO_HASH }) {
	const records: ReviewRecord[] = [];
	const lines: string[] = [];
	let prev = start;
	inputs.forEach((input, i) => {
		const { record, line } = createRecord(normaliseInput(input), {
			chain,
			seq: prev.seq + 1,
			prevHash: prev.hash,
			recordedAt: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(),
		});
		records.push(record);
		lines.push(line);
		prev = { seq: record.seq, hash: record.hash };
	});
	return { records, lines };
}

export const toFileText = (lines: string[]) => lines.map((l) => `${l}\n`).join('');
