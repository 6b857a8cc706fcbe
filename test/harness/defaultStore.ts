/**
 * The records the server suite's n8n wrote for one execution into its embedded default review store
 * (`<user folder>/.n8n/hitl/default.jsonl`): what example workflows without a store credential log to.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

import type { ConnectionInfo } from './connectionInfo';

export function defaultStoreRecords<T = Record<string, unknown>>(info: ConnectionInfo, executionId: string): T[] {
	const file = path.join(info.n8n.userFolder, '.n8n', 'hitl', 'default.jsonl');
	if (!existsSync(file)) throw new Error(`the review log ${file} does not exist`);
	return readFileSync(file, 'utf8')
		.split('\n')
		.filter((line) => line.trim() !== '')
		.map((line) => JSON.parse(line) as T & { executionId?: string | null })
		.filter((record) => record.executionId === executionId);
}
