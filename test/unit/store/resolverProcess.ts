/** Starts the resolver child (children/resolver.ts) and collects what it printed. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

import type { ReviewOutcome } from '../../../core/store/types';
import { transpiledRoot } from './transpile';

export type ResolverBackend = 'file' | 'postgres';
export type DieMode = 'before-index' | 'after-index';

export interface ResolveAttempt {
	id: string;
	/** Tag carried in the terminal record's details.attempt. */
	attempt: string;
	status: 'decided' | 'expired';
	outcome: ReviewOutcome | null;
	draft: Record<string, unknown>;
	/** Set when the child printed that resolveReviewRequest returned. */
	result?: { seq: number; hash: string; applied: boolean };
}

export interface ResolverChild {
	pid: number;
	puts: Array<{ id: string; groupId: string }>;
	/** In the order printed; an attempt without `result` was cut off by the kill. */
	attempts: ResolveAttempt[];
	/** Lines that broke the protocol (the test fails on any). */
	errors: string[];
	ready: Promise<boolean>;
	/** Resolves true at the child's first acknowledged resolution (false if it exits first). */
	firstResolved: Promise<boolean>;
	exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
	kill: () => void;
}

export interface ResolverOptions {
	backend: ResolverBackend;
	/** File: the store directory. */
	directory?: string;
	/** Postgres: the connection. */
	connection?: unknown;
	chain: string;
	/** File the children share the ids they put through (for racing on one request). */
	sharedIds: string;
	signingKey: { keyId: string; secret: string };
	/** The child kills itself inside its own resolution from round `round` on. */
	die?: { mode: DieMode; round: number };
}

export function startResolver(o: ResolverOptions): ResolverChild {
	const script = join(transpiledRoot(), 'test', 'unit', 'store', 'children', 'resolver.js');
	const args = [script, o.backend, o.directory ?? '-', o.chain, o.sharedIds];
	if (o.die) args.push(`${o.die.mode}:${o.die.round}`);
	const env: NodeJS.ProcessEnv = { ...process.env, HITL_TEST_SIGNING_KEY: JSON.stringify(o.signingKey) };
	if (o.connection) env.HITL_TEST_PG_CONNECTION = JSON.stringify(o.connection);
	const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
	const child: ResolverChild = {
		pid: proc.pid ?? -1,
		puts: [],
		attempts: [],
		errors: [],
		ready: Promise.resolve(false),
		firstResolved: Promise.resolve(false),
		exited: Promise.resolve({ code: null, signal: null, stderr: '' }),
		kill: () => proc.kill('SIGKILL'),
	};
	const open = new Map<string, ResolveAttempt>();
	let out = '';
	let stderr = '';
	let markReady!: (v: boolean) => void;
	child.ready = new Promise<boolean>((resolve) => (markReady = resolve));
	let markResolved!: (v: boolean) => void;
	child.firstResolved = new Promise<boolean>((resolve) => (markResolved = resolve));
	const onLine = (line: string): void => {
		if (line === 'ready') return markReady(true);
		const [kind, id, a, b, c] = line.split(' ');
		if (kind === 'put') child.puts.push({ id, groupId: a });
		else if (kind === 'resolving') {
			const json = line.slice(`resolving ${id} ${a} `.length);
			const { status, outcome, draft } = JSON.parse(json) as Pick<ResolveAttempt, 'status' | 'outcome' | 'draft'>;
			const attempt: ResolveAttempt = { id, attempt: a, status, outcome, draft };
			child.attempts.push(attempt);
			open.set(id, attempt);
		} else if (kind === 'resolved') {
			const attempt = open.get(id);
			if (!attempt) return void child.errors.push(`"resolved" without "resolving": ${line}`);
			attempt.result = { seq: Number(a), hash: b, applied: c === '1' };
			open.delete(id);
			markResolved(true);
		} else child.errors.push(`unexpected line: ${line}`);
	};
	proc.stdout.setEncoding('utf8');
	proc.stdout.on('data', (chunk: string) => {
		out += chunk;
		let nl: number;
		while ((nl = out.indexOf('\n')) !== -1) {
			const line = out.slice(0, nl);
			out = out.slice(nl + 1);
			try {
				onLine(line);
			} catch (error) {
				child.errors.push(`${(error as Error).message}: ${line}`);
			}
		}
	});
	proc.stderr.setEncoding('utf8');
	proc.stderr.on('data', (c: string) => (stderr += c));
	child.exited = new Promise((resolve) => {
		proc.on('close', (code, signal) => {
			markReady(false);
			markResolved(false);
			// A line cut off by the kill (no line break) never counts: it was not fully printed.
			resolve({ code, signal, stderr });
		});
	});
	return child;
}
