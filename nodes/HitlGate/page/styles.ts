/**
 * The pages' only style sheet, inline (no external assets) and allowed by its hash in the CSP, so the
 * policy needs neither 'unsafe-inline' nor any origin. No style attributes are used anywhere.
 */
import { createHash } from 'node:crypto';

export const PAGE_CSS = [
	'*{box-sizing:border-box}',
	'body{margin:0;background:#f4f5f7;color:#1d2330;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}',
	'main{max-width:46rem;margin:0 auto;padding:1rem}',
	'h1{font-size:1.35rem;margin:.5rem 0 1rem}',
	'h2{font-size:1.05rem;margin:1.25rem 0 .5rem}',
	'section,.card{background:#fff;border:1px solid #d8dce3;border-radius:8px;padding:1rem;margin:0 0 1rem}',
	'dl{margin:0}dt{font-weight:600;margin-top:.75rem}dt:first-child{margin-top:0}dd{margin:.25rem 0 0}',
	'pre,textarea{font:14px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}',
	'pre{white-space:pre-wrap;overflow-wrap:anywhere;margin:0;padding:.5rem;background:#f7f8fa;border-radius:4px;unicode-bidi:isolate}',
	'label{display:block;font-weight:600;margin:.75rem 0 .25rem}',
	'textarea{width:100%;min-height:4.5rem;padding:.5rem;border:1px solid #b7bdc8;border-radius:4px;resize:vertical}',
	'textarea.long{min-height:10rem}',
	'.meta{color:#4a5262;font-size:.9rem}',
	'.tier{display:inline-block;padding:.1rem .6rem;border-radius:999px;font-weight:700;text-transform:uppercase;font-size:.85rem}',
	'.tier-low{background:#dff3e4;color:#15572b}.tier-medium{background:#fff1cc;color:#6b4a00}',
	'.tier-high,.tier-unknown{background:#fde0de;color:#8a1c12}',
	'.hidden-char{background:#fde0de;color:#8a1c12;border-radius:3px;padding:0 .15rem;font-size:.8em}',
	'.warn{color:#8a1c12;font-size:.9rem;margin:.25rem 0 0}',
	'.error{background:#fde0de;border-color:#e3a19b;color:#8a1c12}',
	'.ok{background:#dff3e4;border-color:#9cd1ab}',
	'.buttons{display:flex;gap:.75rem;flex-wrap:wrap;margin-top:1rem}',
	'button{font:inherit;font-weight:700;padding:.7rem 1.4rem;border-radius:6px;border:0;cursor:pointer;flex:1 1 10rem}',
	'button.approve{background:#1a7f37;color:#fff}button.reject{background:#b42318;color:#fff}',
	'button:focus-visible{outline:3px solid #1d4ed8;outline-offset:2px}',
].join('\n');

export const PAGE_CSS_HASH = `sha256-${createHash('sha256').update(PAGE_CSS, 'utf8').digest('base64')}`;
