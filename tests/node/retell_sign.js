// retell_sign.js: Retell's official SDK's side of payvox's Retell tests.
//
//   node retell_sign.js sign <api key>              < body -> X-Retell-Signature
//   node retell_sign.js verify <api key> <header>   < body -> "ok" or "refused"
//
// Both use retell-sdk's webhook_auth (sign and verify), as Retell's docs
// tell servers to.
'use strict';

const { sign, verify } = require('retell-sdk/lib/webhook_auth');

const [mode, apiKey, header] = process.argv.slice(2);
const chunks = [];
process.stdin.on('data', (chunk) => chunks.push(chunk));
process.stdin.on('end', async () => {
  const body = Buffer.concat(chunks).toString('utf8');
  if (mode === 'sign') {
    process.stdout.write(await sign(body, apiKey));
  } else if (mode === 'verify') {
    process.stdout.write((await verify(body, apiKey, header)) ? 'ok' : 'refused');
  } else {
    process.stderr.write(`unknown mode ${mode}\n`);
    process.exit(2);
  }
});
