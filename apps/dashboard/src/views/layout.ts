import { html, trustedHtml, type SafeHtml } from './html.js';

const STYLE = trustedHtml(`
body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
header{background:#1d2330;color:#fff;padding:.6rem 1rem;display:flex;gap:1.2rem;align-items:center}
header a{color:#cfe0ff;text-decoration:none}header strong{margin-right:1rem}
main{padding:1rem}table{border-collapse:collapse;width:100%;background:#fff}
th,td{border-bottom:1px solid #e3e6eb;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#eef1f5;font-weight:600}td.num{text-align:right;font-variant-numeric:tabular-nums}
.models{width:auto}.models td{border:0;padding:.05rem .4rem;font-size:12px;white-space:nowrap}.bad{color:#b3261e}.warn{color:#9a6700}.ok{color:#1a7f37}
.badge{display:inline-block;border-radius:3px;padding:0 .35rem;font-size:12px;background:#e3e6eb}
.badge.bad{background:#ffebe9}.badge.warn{background:#fff8c5}.badge.ok{background:#dafbe1}
form.inline{display:inline}button{cursor:pointer;margin:.1rem}.flash{background:#dafbe1;padding:.5rem;margin-bottom:1rem}
nav.filters a,nav.filters strong{margin-right:.8rem}code{font-size:12px}
`);

/** The HTML page around `body`. */
export function page(title: string, body: SafeHtml): SafeHtml {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width,initial-scale=1" />
        <title>${title} · kombo-sync</title>
        <style>
          ${STYLE}
        </style>
      </head>
      <body>
        <header>
          <strong>kombo-sync</strong><a href="/">Sync status</a><a href="/webhooks">Webhooks</a
          ><a href="/queues">Queues</a> <a href="/api/integrations">JSON</a><a href="/metrics">Metrics</a>
        </header>
        <main>${body}</main>
      </body>
    </html>`;
}

/** A bare error page (status and a safe message only). */
export function errorPage(status: number, message: string): SafeHtml {
  return page(
    `Error ${status}`,
    html`<h1>${status}</h1>
      <p>${message}</p>
      <p><a href="/">Back to the status page</a></p>`,
  );
}

/** Security headers for our own pages: no framing, no scripts at all, styles inline only. */
export const PAGE_HEADERS = {
  'Content-Security-Policy':
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'X-Frame-Options': 'DENY',
  'Cache-Control': 'no-store',
} as const;
