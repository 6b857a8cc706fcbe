/**
 * Field names made readable for a recruiter: the builder writes paths (`candidate.firstName`), the
 * reviewer reads labels ("Candidate first name"). Used for fields the builder gave no label and for
 * the keys of nested objects in a value.
 */

/**
 * A field path as written by a builder: identifiers, dots and list indexes (`to[0].email`, its
 * canonical form `to.0.email`, `first_name`).
 */
const PLAIN_PATH = /^[A-Za-z_$][\w$]*(?:\[\d+\])*(?:\.(?:[A-Za-z_$][\w$]*|\d+)(?:\[\d+\])*)*$/;

/**
 * A field path made readable: `candidate.firstName` → "Candidate first name", `to[0].email` →
 * "To 1 email", `reply_to` → "Reply to". Anything that is not a plain path (a key with spaces,
 * markup or line breaks, which only a draft can produce) is kept exactly as it is, so the reviewer
 * sees the real key and the escaping downstream sees the real text.
 */
export function readableLabel(path: string): string {
	if (!PLAIN_PATH.test(path)) return path;
	const words = path
		// List positions count from 1 for people: to[0] and to.0 are "To 1".
		.replace(/\[(\d+)\]|\.(\d+)(?=\.|$)/g, (_m, a?: string, b?: string) => ` ${Number(a ?? b) + 1} `)
		.replace(/[._$]+/g, ' ')
		// camelCase and acronym boundaries: firstName → first Name, userIDs → user IDs, HTMLBody → HTML Body
		.replace(/([a-z0-9])([A-Z])/g, '$1 $2')
		.replace(/([A-Z]+)([A-Z][a-z]{2,})/g, '$1 $2')
		.split(/\s+/)
		.filter((w) => w !== '')
		// Capitalised words become lower case; acronyms (ID, URL) stay as they are.
		.map((w) => (/^[A-Z][a-z0-9]+$/.test(w) ? w.toLowerCase() : w));
	if (words.length === 0) return path;
	const text = words.join(' ');
	return text.charAt(0).toUpperCase() + text.slice(1);
}
