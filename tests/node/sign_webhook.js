// sign_webhook.js: the official Stripe SDK's side of payvox's webhook tests.
//
//   node sign_webhook.js sign <secret> <timestamp>    < payload   -> Stripe-Signature header
//   node sign_webhook.js verify <secret> <header>     < payload   -> "ok" or the SDK's error
//
// `sign` uses stripe.webhooks.generateTestHeaderString, as Stripe's docs
// recommend for testing; `verify` uses stripe.webhooks.constructEvent.
'use strict';

const Stripe = require('stripe');

const stripe = new Stripe('sk_test_unused');
const [mode, secret, arg] = process.argv.slice(2);
const chunks = [];
process.stdin.on('data', (chunk) => chunks.push(chunk));
process.stdin.on('end', () => {
  const payload = Buffer.concat(chunks).toString('utf8');
  if (mode === 'sign') {
    process.stdout.write(stripe.webhooks.generateTestHeaderString({
      payload,
      secret,
      timestamp: Number(arg),
    }));
  } else if (mode === 'verify') {
    try {
      stripe.webhooks.constructEvent(payload, arg, secret);
      process.stdout.write('ok');
    } catch (error) {
      process.stdout.write(`refused: ${error.message}`);
    }
  } else {
    process.stderr.write('usage: sign_webhook.js sign|verify <secret> <timestamp|header>\n');
    process.exit(2);
  }
});
