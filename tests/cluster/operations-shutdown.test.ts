/**
 * Controlled shutdown with real processes: SIGTERM of a partition leader in a 3-broker cluster moves
 * leadership to another in-sync replica before the process exits, and an acks=all producer sees at
 * most one NOT_LEADER_OR_FOLLOWER per record (then the new leader) and no broken connection.
 * Also: DescribeCluster reports the elected controller.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { DescribeClusterApi } from '@tributary/protocol/generated/index.ts';
import type { TestClient } from '../../packages/broker/test/test-client.ts';
import { waitFor } from '../helpers/broker-process.ts';
import { OpsCluster, metadata, produceOne } from './operations-common.ts';

const TOPIC = 'shutdown';
const NOT_LEADER_OR_FOLLOWER = 6;
let cluster: OpsCluster | undefined;
after(async () => { await cluster?.close(); });

test('SIGTERM of a leader: leadership moves before exit; an acks=all producer sees no NOT_LEADER beyond one retry', async () => {
  cluster = await OpsCluster.start([1, 2, 3], { 'zookeeper.session.timeout.ms': '6000', 'min.insync.replicas': '2', 'auto.leader.rebalance.enable': 'false' });
  const c = cluster;
  const dc = await (await c.client(2)).request(DescribeClusterApi, 0, { includeClusterAuthorizedOperations: false });
  assert.equal(dc.controllerId, c.observer.controllerId(), 'DescribeCluster reports the elected controller');
  assert.ok([1, 2, 3].includes(dc.controllerId));
  assert.equal(dc.brokers.length, 3);

  await c.createTopic(TOPIC, 1, 3);
  await waitFor('full ISR', () => c.observer.partitionState(TOPIC, 0)!.isr.length === 3);
  const victim = c.observer.partitionState(TOPIC, 0)!.leader;
  let leaderMovedAt = 0;
  const unsubscribe = c.observer.subscribe((e) => {
    if (e.type === 'partition-state' && e.topic === TOPIC && e.state.leader !== victim && leaderMovedAt === 0) leaderMovedAt = Date.now();
  });

  const clients = new Map<number, TestClient>();
  for (const id of [1, 2, 3]) clients.set(id, await c.client(id));
  let leader = victim;
  let acked = 0;
  let notLeader = 0;
  let disconnects = 0;
  let consecutive = 0;
  let maxConsecutive = 0;
  const otherErrors: string[] = [];
  let stop = false;
  const producing = (async () => {
    for (let seq = 0; !stop; ) {
      let code: number;
      try {
        code = await produceOne(clients.get(leader)!, TOPIC, `v${seq}`);
      } catch (e) {
        // A request in flight when the old leader's sockets close: retriable, as a Java client's
        // NetworkException is; it counts as this record's one retry.
        if (leader !== victim) { otherErrors.push(`broker ${leader}: ${(e as Error).message}`); break; }
        disconnects++;
        code = NOT_LEADER_OR_FOLLOWER;
      }
      if (code === 0) { acked++; seq++; consecutive = 0; continue; }
      consecutive++;
      maxConsecutive = Math.max(maxConsecutive, consecutive);
      if (code !== NOT_LEADER_OR_FOLLOWER) { otherErrors.push(`error ${code}`); if (consecutive > 20) break; continue; }
      notLeader++;
      // Like a client's metadata refresh with retry.backoff.ms, from another broker (the old leader
      // is about to go), until it names a different leader (its view may lag by a ZooKeeper watch).
      const refused = leader;
      const other = [1, 2, 3].find((id) => id !== leader && c.broker(id).running)!;
      for (let attempt = 0; attempt < 100 && leader === refused; attempt++) {
        if (attempt > 0) await new Promise((r) => setTimeout(r, 20));
        const md = await metadata(clients.get(other)!, [TOPIC]).catch(() => undefined);
        leader = md?.topics[0]!.partitions[0]!.leaderId ?? leader;
      }
      if (leader < 0 || consecutive > 20) break;
    }
  })();

  await waitFor('some acks before the SIGTERM', () => acked >= 50 || otherErrors.length > 0, 20_000);
  const victimBroker = c.broker(victim);
  await victimBroker.signal('SIGTERM');
  const exitedAt = Date.now();
  const ackedAtExit = acked;
  await waitFor('acks after the shutdown', () => acked >= ackedAtExit + 50 || otherErrors.length > 0, 20_000);
  stop = true;
  await producing;
  unsubscribe();

  assert.deepEqual(otherErrors, [], `errors: ${otherErrors.join("; ")}`);
  assert.ok(leaderMovedAt > 0 && leaderMovedAt < exitedAt, `leadership moved (${leaderMovedAt}) before the process exited (${exitedAt})`);
  assert.ok(maxConsecutive <= 1, `at most one NOT_LEADER per record (saw ${maxConsecutive} in a row, ${notLeader} in all, ${disconnects} disconnects)`);
  assert.equal(victimBroker.child!.exitCode, 0, 'clean exit');
  assert.match(victimBroker.output, /controlled shutdown complete/);
  const s = c.observer.partitionState(TOPIC, 0)!;
  assert.notEqual(s.leader, victim);
  assert.equal(s.isr.includes(victim), false, 'the departed broker left the ISR');
});
