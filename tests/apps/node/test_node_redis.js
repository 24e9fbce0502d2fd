// test_node_redis.js - node-redis (npm `redis` 4) against the server on
// DBLITE_APPS_PORT: multi()...exec() (results, a runtime error in place,
// EXECABORT after a queueing error, WATCH aborting on another client's
// write, execAsPipeline), and pub/sub (subscribe, pSubscribe, message
// order, PUBLISH's receiver counts, unsubscribe).  node-redis speaks RESP2
// and subscribes on a duplicate() connection, as its users do.  Run by
// test_node.py, which starts the server and judges the outcome; exits
// non-zero with the error on failure.
'use strict';
const assert = require('node:assert/strict');
const { createClient } = require('redis');

const port = Number(process.env.DBLITE_APPS_PORT);

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
  let results = await client.multi().set('n:a', '1').incr('n:a').get('n:a')
    .rPush('n:list', ['x', 'y']).lRange('n:list', 0, -1).exec();
  assert.deepEqual(results, ['OK', 2, '2', 2, ['x', 'y']]);

  // A runtime error is that command's reply; the rest still run.
  // node-redis rejects such an exec with a MultiErrorReply that carries
  // every reply.
  await assert.rejects(client.multi().set('n:b', '1').lPush('n:a', 'z').incr('n:b').exec(),
    (error) => {
      assert.deepEqual(error.errorIndexes, [1]);
      assert.equal(error.replies[0], 'OK');
      assert.match(String(error.replies[1]), /WRONGTYPE/);
      assert.equal(error.replies[2], 2);
      return true;
    });

  // A queueing error (wrong arity) aborts the whole transaction.
  await assert.rejects(
    client.multi().set('n:c', '1').addCommand(['GET']).set('n:d', '1').exec(),
    (error) => /EXECABORT/.test(String(error && (error.message || error))));
  assert.equal(await client.exists(['n:c', 'n:d']), 0);

  // WATCH (on an isolated connection, as node-redis wants it): another
  // client's write makes the transaction fail with WatchError.
  await client.set('n:balance', '100');
  await client.executeIsolated(async (isolated) => {
    await isolated.watch('n:balance');
    const balance = Number(await isolated.get('n:balance'));
    await other.set('n:balance', '0');
    await assert.rejects(isolated.multi().set('n:balance', String(balance - 30)).exec(),
      (error) => error && error.constructor && error.constructor.name === 'WatchError');
  });
  assert.equal(await client.get('n:balance'), '0');
  await client.executeIsolated(async (isolated) => {
    await isolated.watch('n:balance');
    assert.deepEqual(await isolated.multi().incrBy('n:balance', 5).exec(), [5]);
  });

  // The same queue sent as a plain pipeline.
  assert.deepEqual(await client.multi().incr('n:n').incr('n:n').execAsPipeline(), [1, 2]);
}

async function pubsub(publisher) {
  const subscriber = publisher.duplicate();
  subscriber.on('error', (error) => console.error('subscriber error: ' + error));
  await subscriber.connect();
  const received = [];
  await subscriber.subscribe(['news', 'sport'], (message, channel) =>
    received.push(['message', channel, message]));
  await subscriber.pSubscribe('n*', (message, channel) =>
    received.push(['pmessage', channel, message]));

  assert.equal(await publisher.publish('news', 'first'), 2); // channel and pattern
  assert.equal(await publisher.publish('sport', 'second'), 1);
  assert.equal(await publisher.publish('nothing', 'third'), 1); // the pattern only
  assert.equal(await publisher.publish('other', 'nobody'), 0);
  await waitFor(() => received.length === 4, 'four deliveries');
  assert.deepEqual(received, [
    ['message', 'news', 'first'], ['pmessage', 'news', 'first'],
    ['message', 'sport', 'second'], ['pmessage', 'nothing', 'third']]);

  received.length = 0;
  await Promise.all(Array.from({ length: 200 }, (_, i) => publisher.publish('sport', 'm' + i)));
  await waitFor(() => received.length === 200, '200 messages');
  assert.deepEqual(received.map((entry) => entry[2]), Array.from({ length: 200 }, (_, i) => 'm' + i));

  assert.deepEqual({ ...(await publisher.pubSubNumSub(['news', 'sport'])) }, { news: 1, sport: 1 });
  assert.equal(await publisher.pubSubNumPat(), 1);
  await subscriber.unsubscribe('news');
  await subscriber.pUnsubscribe('n*');
  assert.equal(await publisher.publish('news', 'gone'), 0);
  assert.equal(await publisher.publish('sport', 'still'), 1);
  await waitFor(() => received.length === 201, 'the last message');
  assert.deepEqual(received[200], ['message', 'sport', 'still']);
  await subscriber.unsubscribe('sport');
  // Out of subscribed mode the connection runs commands again.
  assert.equal(await subscriber.ping(), 'PONG');
  await subscriber.quit();
}

async function main() {
  const options = { socket: { host: '127.0.0.1', port, reconnectStrategy: false } };
  const client = createClient(options);
  const other = createClient(options);
  client.on('error', (error) => console.error('client error: ' + error));
  other.on('error', (error) => console.error('other error: ' + error));
  await client.connect();
  await other.connect();
  try {
    await transactions(client, other);
    console.log('node-redis: transactions ok');
    await pubsub(other);
    console.log('node-redis: pub/sub ok');
  } finally {
    await client.quit();
    await other.quit();
  }
}

main().then(() => process.exit(0), (error) => {
  console.error('FAIL: ' + (error && error.stack ? error.stack : error));
  process.exit(1);
});
