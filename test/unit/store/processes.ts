import { spawn } from 'node:child_process';
import { join } from 'node:path';

import { transpiledRoot } from './transpile';

export interface Child {
	pid: number;
	acked: Array<{ seq: number; hash: string }>;
	ready: Promise<boolean>;
	exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
	kill: () => void;
}

/** Starts the appender child (`callers` concurrent loops in it); collects its acknowledged appends, in acknowledgement order. */
export function startAppender(dir: string, chain: string, count?: number, batch = 1, callers = 1): Child {
	const script = join(transpiledRoot(), 'test', 'unit', 'store', 'children', 'appender.js');
	const proc = spawn(process.execPath, [script, dir, chain, String(count ?? 'Infinity'), String(batch), String(callers)], { stdio: ['ignore', 'pipe', 'pipe'] });
	const acked: Child['acked'] = [];
	let out = '';
	let stderr = '';
	let markReady!: (v: boolean) => void;
	const ready = new Promise<boolean>((resolve) => (markReady = resolve));
	proc.stdout.setEncoding('utf8');
	proc.stdout.on('data', (chunk: string) => {
		out += chunk;
		let nl: number;
		while ((nl = out.indexOf('\n')) !== -1) {
			const line = out.slice(0, nl);
			out = out.slice(nl + 1);
			if (line === 'ready') markReady(true);
			else {
				const [seq, hash] = line.split(' ');
				acked.push({ seq: Number(seq), hash });
			}
		}
	});
	proc.stderr.setEncoding('utf8');
	proc.stderr.on('data', (c: string) => (stderr += c));
	const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) => {
		proc.on('close', (code, signal) => {
			markReady(false);
			resolve({ code, signal, stderr });
		});
	});
	return { pid: proc.pid ?? -1, acked, ready, exited, kill: () => proc.kill('SIGKILL') };
}
