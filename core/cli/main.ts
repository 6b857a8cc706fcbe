/**
 * `n8n-nodes-hitl verify <log.jsonl> [--checkpoint <file>] [--key <ENV_VAR|hex>] [--chain <name>] [--json]`
 *
 * Verifies an exported review log with nothing but Node: no n8n, no database, no network.
 * Exit codes: 0 = verified, 1 = a check failed, 2 = usage error (bad arguments, unreadable file).
 */
import { readFileSync, statSync } from 'node:fs';

import type { CheckpointKey } from '../checkpoint';
import type { VerifyResult } from '../store/types';
import { verifyFile } from '../verify';

export interface CliIo {
	out: (text: string) => void;
	err: (text: string) => void;
	env: Record<string, string | undefined>;
}

export const USAGE = `Usage: n8n-nodes-hitl verify <log.jsonl> [options]

Checks a review log exported by n8n-nodes-hitl: every record's hash, the chain linking them,
their order, and (with a checkpoint) that nothing was cut off the end.

Options:
  --checkpoint <file>  a signed checkpoint (JSON) kept apart from the log
  --key <key>          the checkpoint secret: the NAME of an environment variable holding it
                       (recommended, e.g. --key HITL_CHECKPOINT_SECRET), or its bytes as hex
  --chain <name>       the chain the log must belong to (default: the first record's chain)
  --json               print the result as JSON
  -h, --help           show this help

Exit status: 0 verified, 1 a check failed, 2 usage error.
`;

class UsageError extends Error {}

interface Args {
	file: string;
	checkpoint?: string;
	key?: string;
	chain?: string;
	json: boolean;
}

function parseArgs(argv: string[]): Args | 'help' {
	if (argv.includes('-h') || argv.includes('--help') || argv[0] === 'help') return 'help';
	const [command, ...rest] = argv;
	if (command !== 'verify') throw new UsageError(command === undefined ? 'No command given' : `Unknown command "${command}"`);
	const args: Partial<Args> & { json: boolean } = { json: false };
	for (let i = 0; i < rest.length; i++) {
		const arg = rest[i];
		const value = () => {
			const v = rest[++i];
			if (v === undefined || v.startsWith('--')) throw new UsageError(`${arg} needs a value`);
			return v;
		};
		if (arg === '--json') args.json = true;
		else if (arg === '--checkpoint') args.checkpoint = value();
		else if (arg === '--key') args.key = value();
		else if (arg === '--chain') args.chain = value();
		else if (arg.startsWith('-')) throw new UsageError(`Unknown option ${arg}`);
		else if (args.file === undefined) args.file = arg;
		else throw new UsageError(`Unexpected argument "${arg}"`);
	}
	if (args.file === undefined) throw new UsageError('Name the exported log file to verify');
	if (args.checkpoint !== undefined && args.key === undefined) {
		throw new UsageError('A checkpoint can only be checked with its secret: add --key <ENV_VAR or hex>');
	}
	if (args.key !== undefined && args.checkpoint === undefined) throw new UsageError('--key is only used with --checkpoint');
	return args as Args;
}

function secretFrom(key: string, env: CliIo['env']): string | Buffer {
	if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(key) && env[key] !== undefined && env[key] !== '') return env[key] as string;
	if (/^(?:[0-9a-fA-F]{2})+$/.test(key)) return Buffer.from(key, 'hex');
	throw new UsageError(`--key ${key}: no environment variable of that name is set, and it is not hex`);
}

function describe(result: VerifyResult, file: string, checkpointTime: string | null): string {
	if (result.ok) {
		const cp = result.checkpoint
			? `Checkpoint verified: seq ${result.checkpoint.seq}${checkpointTime ? ` of ${checkpointTime}` : ''} is present and unchanged.`
			: 'No checkpoint given: records removed from the end of the log cannot be detected without one.';
		return `OK: ${file}: ${result.recordsChecked} records verified, head seq ${result.headSeq}, head hash ${result.headHash}.\n${cp}\n`;
	}
	const bad = result.firstBad;
	const where = bad ? `${bad.reason} at seq ${bad.seq ?? '-'}${bad.line ? ` (line ${bad.line})` : ''}` : 'failed';
	return `FAILED: ${file}: ${where}: ${bad?.message ?? ''}\nRecords before that point are intact (${result.recordsChecked} verified, up to seq ${result.headSeq}).\n`;
}

export async function main(argv: string[], io: CliIo): Promise<number> {
	let args: Args | 'help';
	let checkpoint: unknown;
	let keys: CheckpointKey[] | undefined;
	try {
		args = parseArgs(argv);
		if (args === 'help') {
			io.out(USAGE);
			return 0;
		}
		try {
			if (!statSync(args.file).isFile()) throw new UsageError(`${args.file} is not a file`);
		} catch (error) {
			if (error instanceof UsageError) throw error;
			throw new UsageError(`Cannot read ${args.file}: ${(error as Error).message}`);
		}
		if (args.checkpoint !== undefined && args.key !== undefined) {
			let text: string;
			try {
				text = readFileSync(args.checkpoint, 'utf8');
			} catch (error) {
				throw new UsageError(`Cannot read checkpoint ${args.checkpoint}: ${(error as Error).message}`);
			}
			checkpoint = text;
			const secret = secretFrom(args.key, io.env);
			let keyId = 'cli';
			try {
				const parsed = JSON.parse(text) as { keyId?: unknown };
				if (typeof parsed.keyId === 'string') keyId = parsed.keyId;
			} catch {
				// an unparsable checkpoint is reported by the verifier as bad_checkpoint
			}
			keys = [{ keyId, secret }];
		}
	} catch (error) {
		if (error instanceof UsageError) {
			io.err(`n8n-nodes-hitl: ${error.message}\n\n${USAGE}`);
			return 2;
		}
		throw error;
	}
	const result = await verifyFile(args.file, { chain: args.chain, checkpoint, checkpointKeys: keys });
	let checkpointTime: string | null = null;
	if (typeof checkpoint === 'string') {
		try {
			checkpointTime = String((JSON.parse(checkpoint) as { time?: unknown }).time ?? '') || null;
		} catch {
			checkpointTime = null;
		}
	}
	if (args.json) io.out(`${JSON.stringify({ file: args.file, ...result }, null, 2)}\n`);
	else io.out(describe(result, args.file, checkpointTime));
	return result.ok ? 0 : 1;
}
