// test_ioredis.js - ioredis against the server on DBLITE_APPS_PORT:
// multi()...exec() (results, a runtime error in place, a queueing error
// that aborts with EXECABORT, WATCH aborting on another client's write,
// pipeline()), and pub/sub (subscribe, psubscribe, message and pmessage
// order, PUBLISH's receiver counts, unsubscribe).  Run by test_node.py,
// which starts the server and judges the outcome; exits non-zero with the
// error on failure.
'use strict';
const assert = require('node:assert/strict');
const Redis = require('ioredis');

const port = Number(process.env.DBLITE_APPS_PORT);
const options = { port, host: '127.0.0.1', maxRetriesPerRequest: 1, lazyConnect: false };

function waitFor(condition, what, timeoutMs = 60000) {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const poll = () => {
      if (condition()) return resolve();
      if (Date.now() - started > timeoutMs) return reject(new Error('timed out waiting for ' + what));
      setTimeout(poll, 20);
    };
    poll();
  });
}

async function transactions(client, other) {
  let results = await client.multi().set('m:a', '1').incr('m:a').get('m:a')
    .rpush('m:list', 'x', 'y').lrange('m:list', 0, -1).exec();
  assert.deepEqual(results, [[null, 'OK'], [null, 2], [null, '2'], [null, 2], [null, ['x', 'y']]]);

  // A runtime error is that command's reply; the rest run.
  results = await client.multi().set('m:b', '1').lpush('m:a', 'z').incr('m:b').exec();
  assert.equal(results[0][1], 'OK');
  assert.match(String(results[1][0]), /^ReplyError: WRONGTYPE/);
  assert.deepEqual(results[2], [null, 2]);

  // A queueing error (wrong arity) aborts the whole transaction.
  await assert.rejects(client.multi().set('m:c', '1').call('get').set('m:d', '1').exec(),
    (error) => /EXECABORT/.test(error.message));
  assert.equal(await client.exists('m:c', 'm:d'), 0);

  // WATCH: another client's write makes EXEC answer null.
  await client.set('m:balance', '100');
  await client.watch('m:balance');
  const balance = Number(await client.get('m:balance'));
  await other.set('m:balance', '0');
  results = await client.multi().set('m:balance', String(balance - 30)).exec();
  assert.equal(results, null);
  assert.equal(await client.get('m:balance'), '0');
  // Without a concurrent write it commits.
  await client.watch('m:balance');
  results = await client.multi().incrby('m:balance', 5).exec();
  assert.deepEqual(results, [[null, 5]]);
  await client.watch('m:balance');
  await client.unwatch();
  await other.set('m:balance', '1');
  assert.deepEqual(await client.multi().get('m:balance').exec(), [[null, '1']]);

  // A plain pipeline (no MULTI) and the transaction flag of pipeline().
  assert.deepEqual(await client.pipeline().incr('m:n').incr('m:n').exec(), [[null, 1], [null, 2]]);
  assert.deepEqual(await client.multi([['incr', 'm:n'], ['get', 'm:n']]).exec(),
    [[null, 3], [null, '3']]);
}

async function pubsub(publisher) {
  const subscriber = new Redis(options);
  const received = [];
  subscriber.on('message', (channel, message) => received.push(['message', channel, message]));
  subscriber.on('pmessage', (pattern, channel, message) =>
    received.push(['pmessage', pattern, channel, message]));
  assert.equal(await subscriber.subscribe('news', 'sport'), 2);
  assert.equal(await subscriber.psubscribe('n*'), 3);

  assert.equal(await publisher.publish('news', 'first'), 2); // channel and pattern
  assert.equal(await publisher.publish('sport', 'second'), 1);
  assert.equal(await publisher.publish('nothing', 'third'), 1); // the pattern only
  assert.equal(await publisher.publish('other', 'nobody'), 0);
  await waitFor(() => received.length === 4, 'four deliveries');
  assert.deepEqual(received, [
    ['message', 'news', 'first'], ['pmessage', 'n*', 'news', 'first'],
    ['message', 'sport', 'second'], ['pmessage', 'n*', 'nothing', 'third']]);

  // Order over many messages, published without waiting.
  received.length = 0;
  await Promise.all(Array.from({ length: 200 }, (_, i) => publisher.publish('sport', 'm' + i)));
  await waitFor(() => received.length === 200, '200 messages');
  assert.deepEqual(received.map((entry) => entry[2]), Array.from({ length: 200 }, (_, i) => 'm' + i));

  assert.deepEqual(await publisher.pubsub('numsub', 'news', 'sport'), ['news', 1, 'sport', 1]);
  assert.equal(await publisher.pubsub('numpat'), 1);
  await subscriber.unsubscribe('news');
  await subscriber.punsubscribe('n*');
  assert.equal(await publisher.publish('news', 'gone'), 0);
  assert.equal(await publisher.publish('sport', 'still'), 1);
  await waitFor(() => received.length === 201, 'the last message');
  assert.deepEqual(received[200], ['message', 'sport', 'still']);
  await subscriber.unsubscribe('sport');
  // Out of subscribed mode the connection runs commands again.
  assert.equal(await subscriber.ping(), 'PONG');
  subscriber.disconnect();
}

async function main() {
  const client = new Redis(options);
  const other = new Redis(options);
  try {
    await transactions(client, other);
    console.log('ioredis: transactions ok');
    await pubsub(other);
    console.log('ioredis: pub/sub ok');
  } finally {
    client.disconnect();
    other.disconnect();
  }
}

main().then(() => process.exit(0), (error) => {
  console.error('FAIL: ' + (error && error.stack ? error.stack : error));
  process.exit(1);
});
