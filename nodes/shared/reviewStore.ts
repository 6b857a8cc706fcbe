/**
 * Opens the review store for a node: from the optional `hitlStoreApi` credential, or — without one —
 * the embedded JSON Lines file under the n8n user folder (`$N8N_USER_FOLDER/.n8n/hitl`, or
 * `~/.n8n/hitl`). Shared by Review Log and HITL Gate. The caller closes the store.
 */
import type {
	ICredentialDataDecryptedObject,
	ICredentialTestFunctions,
	ICredentialsDecrypted,
	IExecuteFunctions,
	INodeCredentialTestResult,
	ITriggerFunctions,
	IWebhookFunctions,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { resolve } from 'node:path';
import { MIN_CHECKPOINT_SECRET_LENGTH, type CheckpointKey } from '../../core/checkpoint';
import { defaultStoreDirectory, openReviewStore as openCoreStore, type ReviewStore, type ReviewStoreConfig } from '../../core/store';
import { type NoteSigner, type NoteVerifier, signerFromPrivateKey, verifierFromKey } from '../../core/tlog';
import { parseRetention } from '../../core/evidence';

export { defaultStoreDirectory };

export const STORE_CREDENTIAL = 'hitlStoreApi';

const text = (v: unknown): string => (typeof v === 'string' ? v.trim() : '');

/** Contradictory or unusable credential data; callers turn it into a NodeOperationError (or the credential test's message). */
class CredentialDataError extends Error {}

/** Runs a parser of credential text; its error comes back as a value, to be rethrown with the field's name. */
function attempt<T>(parse: () => T): { value: T } | { error: Error } {
	try {
		return { value: parse() };
	} catch (error) {
		return { error: error as Error };
	}
}

export interface StoreSettings {
	config: ReviewStoreConfig;
	/** Key for hashing client IP / user agent when a node asks for privacy; null = public domain string. */
	privacySecret: string | null;
	/** True when the nodes run on the default embedded file (no credential). */
	isDefault: boolean;
	/** Public-key checkpoints: the signer (its name is the log's origin) and every key that verifies them. */
	transparency: Transparency | null;
	/** The evidence vault beside the log (core/evidence/); null when the credential keeps no evidence. */
	evidence: EvidenceSettings | null;
}

export interface EvidenceSettings {
	secret: string;
	/** ISO-8601 period, e.g. P6M; null = kept until erased. */
	retention: string | null;
}

function evidenceFrom(data: ICredentialDataDecryptedObject): EvidenceSettings | null {
	const secret = typeof data.evidenceSecret === 'string' ? data.evidenceSecret : '';
	const retention = text(data.evidenceRetention) || null;
	if (secret === '') {
		if (retention !== null) throw new Error('Evidence Retention is set but no Evidence Encryption Secret; set the secret to keep evidence');
		return null;
	}
	if (secret.length < 32) throw new Error('Evidence Encryption Secret is shorter than 32 characters; use a long random secret (e.g. openssl rand -hex 32)');
	const period = retention === null ? null : attempt(() => parseRetention(retention));
	if (period && 'error' in period) throw new CredentialDataError(`Evidence Retention: ${period.error.message}`);
	return { secret, retention };
}

export interface Transparency {
	origin: string;
	signer: NoteSigner & { verifierKey: string };
	/** The current key first, then earlier ones (rotation). */
	verifiers: NoteVerifier[];
}

/** The Ed25519 checkpoint key of the credential, if set; a malformed key is an error naming the field. */
function transparencyFrom(data: ICredentialDataDecryptedObject): Transparency | null {
	const privateKey = text(data.signingPrivateKey);
	const previous = text(data.previousVerifiers)
		.split(/\r?\n/)
		.map((line) => line.trim())
		.filter((line) => line !== '');
	if (privateKey === '') {
		if (previous.length > 0) throw new Error('Previous Verifiers are set but no Checkpoint Signing Key; set the current key too');
		return null;
	}
	const signer = attempt(() => signerFromPrivateKey(privateKey));
	if ('error' in signer) throw new CredentialDataError(`Checkpoint Signing Key is not usable: ${signer.error.message}. Make one with npx n8n-nodes-hitl keygen <origin>`);
	const verifiers: NoteVerifier[] = [verifierFromKey(signer.value.verifierKey)];
	for (const key of previous) {
		const verifier = attempt(() => verifierFromKey(key));
		if ('error' in verifier) {
			throw new CredentialDataError(`A Previous Verifier key is not usable (${verifier.error.message}): give the public keys printed by keygen, one per line`);
		}
		verifiers.push(verifier.value);
	}
	return { origin: signer.value.name, signer: signer.value, verifiers };
}

/**
 * Turns credential data into store settings. Throws a plain Error with a user-facing message for
 * contradictory data (e.g. a checkpoint key id without a secret); callers wrap it.
 */
export function storeSettingsFromCredential(
	data: ICredentialDataDecryptedObject | null,
	env: NodeJS.ProcessEnv = process.env,
): StoreSettings {
	if (!data) {
		return { config: { backend: 'file', directory: defaultStoreDirectory(env), chain: 'default' }, privacySecret: null, isDefault: true, transparency: null, evidence: null };
	}
	const chain = text(data.chain) || 'default';
	const checkpointKeys: CheckpointKey[] = [];
	for (const [idField, secretField, label] of [
		['checkpointKid', 'checkpointSecret', 'Checkpoint'],
		['previousCheckpointKid', 'previousCheckpointSecret', 'Previous Checkpoint'],
	] as const) {
		const keyId = text(data[idField]);
		const secret = typeof data[secretField] === 'string' ? (data[secretField] as string) : '';
		if (keyId === '' && secret === '') continue;
		if (keyId === '' || secret === '') {
			throw new Error(`${label} Key ID and ${label} Secret must be set together in the HITL Review Store credential`);
		}
		if (secret.length < MIN_CHECKPOINT_SECRET_LENGTH) {
			throw new Error(`${label} Secret is shorter than ${MIN_CHECKPOINT_SECRET_LENGTH} characters; use a long random secret (e.g. openssl rand -hex 32)`);
		}
		checkpointKeys.push({ keyId, secret });
	}
	if (text(data.previousCheckpointKid) !== '' && text(data.checkpointKid) === '') {
		throw new Error('A previous checkpoint key is set but no current one; set Checkpoint Key ID and Secret');
	}
	const privacySecret = typeof data.privacySecret === 'string' && data.privacySecret !== '' ? data.privacySecret : null;
	const transparency = transparencyFrom(data);
	const evidence = evidenceFrom(data);
	if (data.backend === 'postgres') {
		const ssl = text(data.ssl) || 'disable';
		if (!['disable', 'require', 'verify-full'].includes(ssl)) throw new Error(`Unknown SSL mode "${ssl}"`);
		const port = Number(data.port ?? 5432);
		if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`Port ${String(data.port)} is not a valid TCP port`);
		return {
			config: {
				backend: 'postgres',
				chain,
				checkpointKeys,
				connection: {
					host: text(data.host) || 'localhost',
					port,
					database: text(data.database),
					user: text(data.user),
					password: typeof data.password === 'string' ? data.password : '',
					ssl: ssl as 'disable' | 'require' | 'verify-full',
				},
			},
			privacySecret,
			isDefault: false,
			transparency,
			evidence,
		};
	}
	if (data.backend !== undefined && data.backend !== 'file') throw new Error(`Unknown backend "${String(data.backend)}"`);
	return {
		config: { backend: 'file', directory: text(data.directory) || defaultStoreDirectory(env), chain, checkpointKeys },
		privacySecret,
		isDefault: false,
		transparency,
		evidence,
	};
}

/**
 * A name for the review store a node is configured for — the same for every node (gate, Review Links,
 * Deadlines) whose credential points at the same chain. The HITL Review Links node proves it serves the
 * gate's store by MAC'ing this name in its probe answer; the name carries no secret (no password).
 */
export function storeIdentity(config: ReviewStoreConfig): string {
	if (config.backend === 'postgres') {
		const c = config.connection;
		return `postgres://${encodeURIComponent(c.user)}@${c.host}:${c.port}/${encodeURIComponent(c.database)}#${config.chain ?? 'default'}`;
	}
	return `file://${resolve(config.directory ?? defaultStoreDirectory())}#${config.chain ?? 'default'}`;
}

type StoreContext = IExecuteFunctions | IWebhookFunctions | ITriggerFunctions;

/** Reads the node's store credential (if any) into settings; bad credential data → NodeOperationError. */
export async function getStoreSettings(ctx: StoreContext): Promise<StoreSettings> {
	const node = ctx.getNode();
	const hasCredential = node.credentials !== undefined && node.credentials[STORE_CREDENTIAL] !== undefined;
	const data = hasCredential ? await ctx.getCredentials(STORE_CREDENTIAL) : null;
	try {
		return storeSettingsFromCredential(data);
	} catch (error) {
		throw new NodeOperationError(node, error as Error, {
			description: 'Fix the HITL Review Store credential of this node.',
		});
	}
}

/** Opens the store this node is configured for. Unreadable store → NodeOperationError naming the cause. */
export async function openReviewStore(ctx: StoreContext, settings?: StoreSettings): Promise<ReviewStore> {
	const s = settings ?? (await getStoreSettings(ctx));
	try {
		return await openCoreStore(s.config);
	} catch (error) {
		const where = s.config.backend === 'file' ? `the log file in ${s.config.directory}` : `Postgres at ${s.config.connection.host}:${s.config.connection.port}`;
		// The cause goes into the description: n8n replaces messages that contain system error codes
		// (EEXIST, ECONNREFUSED, …) with a generic text, which would hide which store failed.
		const cause = (error as Error).message;
		throw new NodeOperationError(ctx.getNode(), error as Error, {
			message: `Could not open the review store (${where})`,
			description:
				`${cause}. ` +
				(s.config.backend === 'file'
					? 'Check that n8n can read and write that folder and that the log is not corrupted (run `npx n8n-nodes-hitl verify <file>`).'
					: 'Check the host, port, database, user, password and SSL settings of the HITL Review Store credential, and that the server is reachable.'),
		});
	}
}

/**
 * The "Test" button of the HITL Review Store credential: opens the store and reads its head. Every
 * node that offers the credential registers it (`methods.credentialTest`, `testedBy: 'hitlStoreApiTest'`).
 */
export async function hitlStoreApiTest(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	let message = '';
	try {
		const { config } = storeSettingsFromCredential(credential.data ?? {});
		const store = await openCoreStore(config);
		try {
			const head = await store.head();
			message = `Connected: chain "${store.chain}" has ${head.seq} record(s)`;
		} finally {
			await store.close();
		}
	} catch (error) {
		return { status: 'Error', message: (error as Error).message };
	}
	return { status: 'OK', message };
}
