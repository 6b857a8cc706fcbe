/**
 * Errors of the evidence vault. Each message says what happened and what to do; `code` lets callers
 * (the node adapters, the CLI) tell a wrong key from damaged storage from bad input without parsing
 * messages. No n8n import here: the adapters turn these into NodeOperationError.
 */

export type EvidenceErrorCode =
	/** The master or lookup key is not the one that wrote the vault. */
	| 'key_mismatch'
	/** Stored data does not decrypt or does not have the expected shape: altered, swapped or damaged. */
	| 'tampered'
	/** The caller passed something the vault cannot take (bad id, bad part, bad retention period...). */
	| 'invalid_input'
	/** The vault was closed. */
	| 'closed';

export class EvidenceError extends Error {
	constructor(
		message: string,
		readonly code: EvidenceErrorCode,
		options?: { cause?: unknown },
	) {
		super(message, options);
		this.name = 'EvidenceError';
	}
}

/** The one message for "this key did not write this data", kept identical wherever it is detected. */
export const KEY_MISMATCH_MESSAGE =
	'cannot decrypt: the vault key does not match the one that wrote this evidence. Use the evidence key of the credential that created this vault (a key cannot be changed once evidence was written with it)';
