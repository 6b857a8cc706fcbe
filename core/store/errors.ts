/** Errors of the review store. Each message says what happened and what to do. */

/** The log is damaged; nothing more is written until someone looks at it. */
export class StoreCorruptError extends Error {
	constructor(
		message: string,
		readonly line: number | null = null,
	) {
		super(message);
		this.name = 'StoreCorruptError';
	}
}

/** A write or fsync failed: the store refuses every further call (never retried, see fsync-gate). */
export class StoreFatalError extends Error {
	constructor(message: string, options?: { cause?: unknown }) {
		super(message, options);
		this.name = 'StoreFatalError';
	}
}

/** Bad arguments (unknown request id, duplicate id, invalid request, missing key). */
export class StoreUsageError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'StoreUsageError';
	}
}
