/**
 * `n8n-nodes-hitl verify <log.jsonl> [--checkpoint <file> (--key-env <NAME> | --key-file <path> | --key <value>)]
 *  [--chain <name>] [--json]`
 *
 * Verifies an exported review log with nothing but Node: no n8n, no database, no network.
 * The checkpoint secret is always TEXT, used as its UTF-8 bytes, exactly as the HITL Review Store
 * credential's Checkpoint Secret field holds it (so `openssl rand -hex 32` output is used as the
 * 64 characters it is, never decoded as hex).
 * Exit codes: 0 = verified, 1 = a check failed, 2 = usage error (bad arguments, unreadable file).
 */
import { readFileSync, statSync } from 'node:fs';
import { parseArgs } from 'node:util';

import { type CheckpointKey, MIN_CHECKPOINT_SECRET_LENGTH, parseCheckpoint, verifyCheckpointMac } from '../checkpoint';
import type { VerifyResult } from '../records';
import { verifyFile } from '../verify';
import { isTransparencyCommand, transparencyMain, TRANSPARENCY_USAGE } from './transparency';

export interface CliIo {
	out: (text: string) => void;
	err: (text: string) => void;
	env: Record<string, string | undefined>;
}

export const USAGE = `Usage: n8n-nodes-hitl verify <log.jsonl> [options]

Checks a review log exported by n8n-nodes-hitl: every record's hash, the chain linking them,
their order, and (with a checkpoint) that nothing was cut off the end.

Options:
  --checkpoint <file>  a signed checkpoint (JSON) kept apart from the log; needs exactly one of:
    --key-env <NAME>   the checkpoint secret is in environment variable NAME (recommended:
                       keeps it out of the shell history and the process list)
    --key-file <path>  the checkpoint secret is the file's content (one trailing newline is
                       ignored, so \`openssl rand -hex 32 > key.txt\` works)
    --key <value>      the name of a set environment variable holding the secret, otherwise
                       the secret itself (visible in shell history and ps)
                       The secret is the Checkpoint Secret text exactly as in the credential,
                       at least ${MIN_CHECKPOINT_SECRET_LENGTH} characters; it is never decoded from hex.
  --chain <name>       the chain the log must belong to (default: the first record's chain)
  --json               print the result as JSON
  -h, --help           show this help

Exit status: 0 verified, 1 a check failed, 2 usage error.

${TRANSPARENCY_USAGE}`;

class UsageError extends Error {}

const KEY_OPTIONS = ['key-env', 'key-file', 'key'] as const;
type KeyOption = (typeof KEY_OPTIONS)[number];

interface Args {
	file: string;
	checkpoint?: string;
	key?: { option: KeyOption; value: string };
	chain?: string;
	json: boolean;
}

function parseCliArgs(argv: string[]): Args | 'help' {
	let parsed: ReturnType<typeof parseOptions>;
	try {
		parsed = parseOptions(argv);
	} catch (error) {
		// parseArgs reports unknown options, missing values and the like as TypeErrors with a clear text.
		throw new UsageError((error as Error).message);
	}
	const { values, positionals, tokens } = parsed;
	if (values.help || positionals[0] === 'help') return 'help';
	const [command, file, ...extra] = positionals;
	if (command !== 'verify') throw new UsageError(command === undefined ? 'No command given' : `Unknown command "${command}"`);
	if (file === undefined) throw new UsageError('Name the exported log file to verify');
	if (extra.length > 0) throw new UsageError(`Unexpected argument "${extra[0]}"`);
	// parseArgs keeps the last of repeated options; a repeated secret or file is more likely a mistake.
	const seen = new Set<string>();
	for (const token of tokens) {
		if (token.kind !== 'option' || token.name === 'json' || token.name === 'help') continue;
		if (seen.has(token.name)) throw new UsageError(`--${token.name} is given more than once`);
		seen.add(token.name);
	}
	const keyOptions = KEY_OPTIONS.filter((name) => values[name] !== undefined);
	if (keyOptions.length > 1) {
		throw new UsageError(`Give the checkpoint secret once: ${keyOptions.map((o) => `--${o}`).join(' and ')} were both given`);
	}
	const keyOption = keyOptions[0];
	if (values.checkpoint !== undefined && keyOption === undefined) {
		throw new UsageError('A checkpoint can only be checked with its secret: add --key-env <NAME>, --key-file <path> or --key <value>');
	}
	if (keyOption !== undefined && values.checkpoint === undefined) throw new UsageError(`--${keyOption} is only used with --checkpoint`);
	return {
		file,
		checkpoint: values.checkpoint,
		key: keyOption === undefined ? undefined : { option: keyOption, value: values[keyOption] as string },
		chain: values.chain,
		json: values.json === true,
	};
}

function parseOptions(argv: string[]) {
	return parseArgs({
		args: argv,
		strict: true,
		allowPositionals: true,
		tokens: true,
		options: {
			checkpoint: { type: 'string' },
			'key-env': { type: 'string' },
			'key-file': { type: 'string' },
			key: { type: 'string' },
			chain: { type: 'string' },
			json: { type: 'boolean' },
			help: { type: 'boolean', short: 'h' },
		},
	});
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The secret text and where it came from (named in the hint when the MAC does not match). */
function secretFrom(key: NonNullable<Args['key']>, env: CliIo['env']): { secret: string; source: string } {
	let found: { secret: string; source: string };
	if (key.option === 'key-env') {
		const value = env[key.value];
		if (value === undefined || value === '') throw new UsageError(`--key-env ${key.value}: no environment variable of that name is set`);
		found = { secret: value, source: `environment variable ${key.value}` };
	} else if (key.option === 'key-file') {
		let bytes: Buffer;
		try {
			bytes = readFileSync(key.value);
		} catch (error) {
			throw new UsageError(`Cannot read key file ${key.value}: ${(error as Error).message}`);
		}
		let text: string;
		try {
			// fatal: bytes that are not UTF-8 would otherwise become U+FFFD and silently change the secret.
			// A leading byte-order mark is dropped: an editor's artefact, never part of a credential field.
			text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
		} catch {
			throw new UsageError(`Key file ${key.value} is not UTF-8 text`);
		}
		// One line break, as `echo` or `openssl rand -hex 32 > file` write it (CR LF from Windows editors).
		found = { secret: text.replace(/\r?\n$/, ''), source: `file ${key.value}` };
	} else {
		const fromEnv = ENV_NAME.test(key.value) ? env[key.value] : undefined;
		found =
			fromEnv !== undefined && fromEnv !== ''
				? { secret: fromEnv, source: `environment variable ${key.value}` }
				: { secret: key.value, source: 'the --key value itself, as no environment variable of that name is set' };
	}
	if (found.secret.length < MIN_CHECKPOINT_SECRET_LENGTH) {
		throw new UsageError(
			`The checkpoint secret taken from ${found.source} is ${found.secret.length} characters long; ` +
				`checkpoint secrets have at least ${MIN_CHECKPOINT_SECRET_LENGTH} (give the Checkpoint Secret text exactly as in the credential)`,
		);
	}
	return found;
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

/** Why a MAC mismatch is not proof of tampering: the commonest cause is a secret given in another form. */
function macMismatchHint(source: string): string {
	return (
		'The checkpoint MAC does not match. There are two possible causes:\n' +
		`  1. the wrong secret: the secret used, taken from ${source}, is not the Checkpoint Secret that signed\n` +
		'     this checkpoint (it must be the credential field\'s text exactly; it is never decoded from hex); or\n' +
		'  2. the checkpoint was altered after it was signed (for example to cover up a change to the log).\n' +
		'Check the secret first before concluding the log was tampered with.\n'
	);
}

export async function main(argv: string[], io: CliIo): Promise<number> {
	if (isTransparencyCommand(argv)) return transparencyMain(argv, io);
	let args: Args | 'help';
	let checkpoint: string | undefined;
	let keys: CheckpointKey[] | undefined;
	let secretSource = '';
	try {
		args = parseCliArgs(argv);
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
			try {
				checkpoint = readFileSync(args.checkpoint, 'utf8');
			} catch (error) {
				throw new UsageError(`Cannot read checkpoint ${args.checkpoint}: ${(error as Error).message}`);
			}
			if (!checkpoint.trimStart().startsWith('{')) {
				throw new UsageError('This checkpoint is a signed note (Ed25519): check it with the log\'s public key, --vkey <key>, instead of a secret');
			}
			const { secret, source } = secretFrom(args.key, io.env);
			secretSource = source;
			const parsed = parseCheckpoint(checkpoint);
			// An unparsable checkpoint is reported by the verifier as bad_checkpoint; any key id will do then.
			keys = [{ keyId: parsed.ok ? parsed.checkpoint.keyId : 'cli', secret }];
		}
	} catch (error) {
		if (error instanceof UsageError) {
			io.err(`n8n-nodes-hitl: ${error.message}\n\n${USAGE}`);
			return 2;
		}
		throw error;
	}
	const result = await verifyFile(args.file, { chain: args.chain, checkpoint, checkpointKeys: keys });
	if (args.json) {
		io.out(`${JSON.stringify({ file: args.file, ...result }, null, 2)}\n`);
		return result.ok ? 0 : 1;
	}
	const parsed = checkpoint === undefined ? undefined : parseCheckpoint(checkpoint);
	io.out(describe(result, args.file, parsed?.ok ? parsed.checkpoint.time : null));
	// Well-formed, but the MAC check fails with the key id it names: a wrong secret or an altered checkpoint.
	if (!result.ok && parsed?.ok && keys && !verifyCheckpointMac(checkpoint, keys).ok) io.out(macMismatchHint(secretSource));
	return result.ok ? 0 : 1;
}
