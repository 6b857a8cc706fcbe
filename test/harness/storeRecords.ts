/**
 * What server tests read back and post, shared so each test file does not carry its own copy: the
 * review log's records of one execution from a file store the test gave the gate (opened read-side
 * for the call only, so the gate's own handle is never held up), and a review page's form POST.
 */
import { closeAllReviewStores, openReviewStore } from '../../core/store';
import type { ReviewRecord } from '../../core/store/types';
import { httpCall } from './http';

/** Every record of the execution in the file store at `directory`, oldest first. */
export async function fileStoreRecords(directory: string, executionId: string): Promise<ReviewRecord[]> {
	const store = await openReviewStore({ backend: 'file', directory });
	try {
		return (await store.query({ executionId }, { limit: 1000 })).records.reverse();
	} finally {
		await store.close();
	}
}

/** Closes every store a test opened (afterAll). */
export const closeStores = closeAllReviewStores;

/** A review page's form, posted as a browser does (urlencoded). */
export function postForm(link: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
	return httpCall(link, { method: 'POST', body: new URLSearchParams(fields).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers } });
}

/** The CSRF token of a served review page. */
export const csrfIn = (html: string): string => (/name="csrf" value="([^"]+)"/.exec(html) as RegExpExecArray)[1];
