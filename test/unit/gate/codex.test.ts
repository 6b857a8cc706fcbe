// Where the nodes appear in n8n's node panel. n8n 2.x has a Human-in-the-loop section fed by codex
// category `HITL` with subcategory `Human in the Loop` (its own send-and-wait nodes — Send Email, Slack,
// Gmail, … — use exactly that, e.g. n8n-nodes-base/dist/nodes/EmailSend/EmailSend.node.json).
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

interface Codex {
	node: string;
	categories: string[];
	subcategories: Record<string, string[]>;
}

const codexOf = (file: string): Codex => JSON.parse(readFileSync(path.join(__dirname, '../../../nodes', file), 'utf8')) as Codex;

describe('codex categories', () => {
	test('the gate is in n8n\'s Human-in-the-loop section only (it is not one of n8n\'s core nodes)', () => {
		const gate = codexOf('HitlGate/HitlGate.node.json');
		expect(gate.node).toBe('n8n-nodes-hitl.hitlGate');
		expect(gate.categories).toEqual(['HITL']);
		expect(gate.subcategories).toEqual({ HITL: ['Human in the Loop'] });
	});

	test('the Router sits in Human in the loop and beside If/Switch under Flow; the Review Log in Human in the loop and Helpers', () => {
		const router = codexOf('BlastRadiusRouter/BlastRadiusRouter.node.json');
		expect(router.categories).toEqual(['HITL', 'Core Nodes']);
		expect(router.subcategories).toEqual({ HITL: ['Human in the Loop'], 'Core Nodes': ['Flow'] });
		const log = codexOf('ReviewLog/ReviewLog.node.json');
		expect(log.categories).toEqual(['HITL', 'Core Nodes']);
		expect(log.subcategories).toEqual({ HITL: ['Human in the Loop'], 'Core Nodes': ['Helpers'] });
	});

	test('every subcategory belongs to a listed category', () => {
		for (const file of ['HitlGate/HitlGate.node.json', 'BlastRadiusRouter/BlastRadiusRouter.node.json', 'ReviewLog/ReviewLog.node.json']) {
			const codex = codexOf(file);
			for (const category of Object.keys(codex.subcategories)) expect(codex.categories).toContain(category);
		}
	});
});
