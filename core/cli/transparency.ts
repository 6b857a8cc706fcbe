/**
 * The public-key commands of the CLI: what an auditor runs with the log's verifier key and nothing
 * secret, and the key generation an operator runs once.
 *
 *   n8n-nodes-hitl verify <log.jsonl> --checkpoint <note> --vkey <key>       the log against a signed checkpoint
 *   n8n-nodes-hitl verify --proof <bundle.tlog-proof> --vkey <key>           one record's proof bundle
 *   n8n-nodes-hitl verify --consistency <proof> --old <note> --new <note> --vkey <key>
 *   n8n-nodes-hitl prove <log.jsonl> (--seq <n> | --request-id <id> | --item-key <key>) --checkpoint <note> --vkey <key> [--out <file>]
 *   n8n-nodes-hitl prove <log.jsonl> --old <note> --new <note> --vkey <key> [--out <file>]
 *   n8n-nodes-hitl keygen <origin> [--out <file>]
 *
 * `--vkey` takes a verifier key (`<name>+<hash>+<base64>`) or a file holding one per line; repeat it
 * for keys of earlier rotations. Exit codes as the HMAC verify: 0 verified, 1 a check failed, 2 usage.
 */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

import { verifyFile } from '../verify';
import {
	type AuditFailure, findTerminalSeq, proveConsistencyFromLogFile, proveFromLogFile, verifyConsistencyProof, verifyLogAgainstCheckpoint, verifyRecordProof,
} from '../tlog/audit';
import { generateNoteKey, NoteError, type NoteVerifier, verifierFromKey } from '../tlog/note';
import type { CliIo } from './main';

export const TRANSPARENCY_USAGE = `Public-key commands (no secret needed):

  n8n-nodes-hitl verify <log.jsonl> --checkpoint <checkpoint> --vkey <key> [--origin <origin>]
      the exported log's hash chain, and that its first records are exactly what the signed
      checkpoint covers (detects records removed from the end and a rewritten log)
  n8n-nodes-hitl verify --proof <record.tlog-proof> --vkey <key> [--origin <origin>]
      one record's proof bundle: signed checkpoint, intact record, inclusion path
  n8n-nodes-hitl verify --consistency <proof> --old <checkpoint> --new <checkpoint> --vkey <key>
      the newer checkpoint's log extends the older one (nothing earlier was changed)
  n8n-nodes-hitl prove <log.jsonl> (--seq <n> | --request-id <id> | --item-key <key>)
      --checkpoint <checkpoint> --vkey <key> [--out <file>]
      writes a c2sp.org/tlog-proof bundle for one record of an exported log (by seq, or the
      decided/expired record of a gate request or item key)
  n8n-nodes-hitl prove <log.jsonl> --old <checkpoint> --new <checkpoint> --vkey <key> [--out <file>]
      writes a consistency proof between two checkpoints the exported log matches
  n8n-nodes-hitl keygen <origin> [--out <file>]
      a new Ed25519 checkpoint key: the private key (for the HITL Review Store credential) and
      the verifier key to give auditors

  --vkey <key|file>   a verifier key (<name>+<hash>+<base64>) or a file of them, one per line;
                      repeat for keys of earlier rotations
  --origin <origin>   the log's origin line the checkpoint must name
  --json              print the result as JSON
`;

class UsageError extends Error {}

function readText(path: string, what: string): string {
	try {
		return readFileSync(path, 'utf8');
	} catch (error) {
		throw new UsageError(`Cannot read ${what} ${path}: ${(error as Error).message}`);
	}
}

function verifiersFrom(values: string[] | undefined): NoteVerifier[] {
	if (!values || values.length === 0) throw new UsageError('Give the log\'s verifier key: --vkey <name+hash+key> (or a file of them)');
	const keys: string[] = [];
	for (const value of values) {
		if (!value.includes('+') && existsSync(value)) keys.push(...readText(value, 'key file').split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#')));
		else keys.push(value.trim());
	}
	return keys.map((key) => {
		if (key.startsWith('PRIVATE+KEY+')) throw new UsageError('That is a private key; auditors verify with the verifier key (name+hash+key), which keygen prints');
		try {
			return verifierFromKey(key);
		} catch (error) {
			throw new UsageError(`Bad verifier key ${JSON.stringify(key.slice(0, 40))}: ${(error as Error).message}`);
		}
	});
}

function parse(argv: string[]) {
	try {
		return parseArgs({
			args: argv,
			strict: true,
			allowPositionals: true,
			options: {
				checkpoint: { type: 'string' },
				vkey: { type: 'string', multiple: true },
				origin: { type: 'string' },
				proof: { type: 'string' },
				consistency: { type: 'string' },
				old: { type: 'string' },
				new: { type: 'string' },
				seq: { type: 'string' },
				'request-id': { type: 'string' },
				'item-key': { type: 'string' },
				out: { type: 'string' },
				chain: { type: 'string' },
				json: { type: 'boolean' },
			},
		});
	} catch (error) {
		throw new UsageError((error as Error).message);
	}
}

type Outcome = { ok: boolean; text: string; json: unknown };

function failed(what: string, result: AuditFailure): Outcome {
	return { ok: false, text: `FAILED: ${what}: ${result.reason}: ${result.message}\n`, json: result };
}

async function run(argv: string[]): Promise<Outcome> {
	const { values, positionals } = parse(argv);
	const [command, target, ...extra] = positionals;
	if (extra.length > 0) throw new UsageError(`Unexpected argument "${extra[0]}"`);
	if (command === 'keygen') {
		if (!target) throw new UsageError('Name the log\'s origin, e.g. keygen hitl.example.com/hiring-log');
		let keys;
		try {
			keys = generateNoteKey(target);
		} catch (error) {
			throw new UsageError(error instanceof NoteError ? error.message : String(error));
		}
		if (values.out) {
			if (existsSync(values.out)) throw new UsageError(`${values.out} exists; keygen never overwrites a key`);
			writeFileSync(values.out, `${keys.privateKey}\n`, { mode: 0o600, flag: 'wx' });
		}
		const text =
			(values.out ? `Private key written to ${values.out} (mode 600). Paste it into the HITL Review Store credential's Checkpoint Signing Key.\n` : `Private key (paste into the HITL Review Store credential, keep it secret):\n${keys.privateKey}\n`) +
			`Verifier key (give it to auditors; it verifies checkpoints and proofs):\n${keys.verifierKey}\n`;
		return { ok: true, text, json: { verifierKey: keys.verifierKey, privateKeyFile: values.out ?? null, ...(values.out ? {} : { privateKey: keys.privateKey }) } };
	}
	const verifiers = verifiersFrom(values.vkey);
	const origin = values.origin;
	if (command === 'prove') {
		if (!target) throw new UsageError('prove needs the exported log');
		if (values.old || values.new) {
			if (!values.old || !values.new) throw new UsageError('a consistency proof needs both --old <checkpoint> and --new <checkpoint>');
			const result = await proveConsistencyFromLogFile(target, readText(values.old, 'checkpoint'), readText(values.new, 'checkpoint'), verifiers, { origin });
			if (typeof result !== 'string') return failed(`cannot prove consistency with ${target}`, result);
			if (values.out) writeFileSync(values.out, result, { mode: 0o644 });
			return { ok: true, text: values.out ? `Consistency proof written to ${values.out}\n` : result, json: { proof: result } };
		}
		const selectors = [values.seq, values['request-id'], values['item-key']].filter((v) => v !== undefined);
		if (!values.checkpoint || selectors.length !== 1) {
			throw new UsageError('prove needs --checkpoint <file> and exactly one of --seq <n>, --request-id <id>, --item-key <key> (or --old and --new for a consistency proof)');
		}
		let seq: number;
		if (values.seq !== undefined) {
			seq = Number(values.seq);
			if (!/^[1-9][0-9]*$/.test(values.seq) || !Number.isSafeInteger(seq)) throw new UsageError(`--seq must be a record number (1, 2, …), not ${values.seq}`);
		} else {
			const found = await findTerminalSeq(target, { requestId: values['request-id'], itemKey: values['item-key'] });
			if (found === null) {
				return failed(target, { ok: false, reason: 'bad_record', message: `no decided or expired record for ${values['request-id'] !== undefined ? `request ${values['request-id']}` : `item key ${values['item-key']}`}` });
			}
			seq = found;
		}
		const result = await proveFromLogFile(target, seq, readText(values.checkpoint, 'checkpoint'), verifiers, { origin });
		if (typeof result !== 'string') return failed(`cannot prove seq ${seq} of ${target}`, result);
		if (values.out) writeFileSync(values.out, result, { mode: 0o644 });
		return { ok: true, text: values.out ? `Proof of seq ${seq} written to ${values.out}\n` : result, json: { seq, proof: result } };
	}
	if (command !== 'verify') throw new UsageError(`Unknown command "${command}"`);
	if (values.proof) {
		if (target) throw new UsageError('verify --proof checks a proof bundle on its own: give no log file');
		const result = verifyRecordProof(readText(values.proof, 'proof'), verifiers, { origin });
		if (!result.ok) return failed(values.proof, result);
		const r = result.record;
		return {
			ok: true,
			text: `OK: ${values.proof}: record seq ${r.seq} (${r.event}${r.decision ? ` ${r.decision}` : ''}${r.reviewerId ? ` by ${r.reviewerId}` : ''}, recorded ${r.recordedAt}) is in the log ${result.checkpoint.origin} of ${result.checkpoint.size} records, signed by ${result.checkpoint.verifiedBy.join(', ')}.\n`,
			json: result,
		};
	}
	if (values.consistency) {
		if (!values.old || !values.new) throw new UsageError('verify --consistency needs --old <checkpoint> and --new <checkpoint>');
		const result = verifyConsistencyProof(readText(values.old, 'checkpoint'), readText(values.new, 'checkpoint'), readText(values.consistency, 'proof'), verifiers, { origin });
		if (!result.ok) return failed(values.consistency, result);
		return { ok: true, text: `OK: the log of ${result.new.size} records extends the log of ${result.old.size} records (${result.new.origin}).\n`, json: result };
	}
	if (!target || !values.checkpoint) throw new UsageError('verify with --vkey needs the exported log and --checkpoint <file> (or --proof, or --consistency)');
	try {
		if (!statSync(target).isFile()) throw new UsageError(`${target} is not a file`);
	} catch (error) {
		if (error instanceof UsageError) throw error;
		throw new UsageError(`Cannot read ${target}: ${(error as Error).message}`);
	}
	const chain = await verifyFile(target, { chain: values.chain });
	if (!chain.ok) {
		const bad = chain.firstBad;
		return failed(target, { ok: false, reason: 'damaged_log', message: `${bad?.reason} at seq ${bad?.seq ?? '-'} (line ${bad?.line}): ${bad?.message}` });
	}
	const result = await verifyLogAgainstCheckpoint(target, readText(values.checkpoint, 'checkpoint'), verifiers, { origin });
	if (!result.ok) return failed(target, result);
	return {
		ok: true,
		text: `OK: ${target}: ${chain.recordsChecked} records verified; the first ${result.checkpoint.size} match the checkpoint of ${result.checkpoint.origin} signed by ${result.checkpoint.verifiedBy.join(', ')}.\n`,
		json: { file: target, records: chain.recordsChecked, headSeq: chain.headSeq, checkpoint: result.checkpoint },
	};
}

/** Runs a public-key command; returns the exit code. */
export async function transparencyMain(argv: string[], io: CliIo): Promise<number> {
	let outcome: Outcome;
	try {
		outcome = await run(argv);
	} catch (error) {
		if (error instanceof UsageError) {
			io.err(`n8n-nodes-hitl: ${error.message}\n\n${TRANSPARENCY_USAGE}`);
			return 2;
		}
		throw error;
	}
	const json = argv.includes('--json');
	io.out(json ? `${JSON.stringify(outcome.json, null, 2)}\n` : outcome.text);
	return outcome.ok ? 0 : 1;
}

/** True when argv is a public-key command (transparencyMain), not the HMAC verify of main.ts. */
export function isTransparencyCommand(argv: string[]): boolean {
	const command = argv.find((arg) => !arg.startsWith('-'));
	if (command === 'prove' || command === 'keygen') return true;
	return command === 'verify' && argv.some((arg) => arg === '--vkey' || arg.startsWith('--vkey=') || arg === '--proof' || arg === '--consistency');
}
