// The ethers baseline of bench/history_index_bench: what an operator would
// write with ethers v6 to read a pool's history from the hub — eth_getLogs
// in ranges of 2,000 blocks (a common node limit), each log parsed with the
// PoCo ABI fragments, the pool's deals, tasks, rewards and seizures picked
// as the monitor does, block timestamps and the scheduler's and workers'
// receipts fetched. Prints {"seconds","logs","events","deals"}.
//   node history_ethers_bench.mjs RPC HUB WORKERPOOL FROM TO
import { ethers } from 'ethers';

const [rpc, hub, workerpool, fromText, toText] = process.argv.slice(2);
const provider = new ethers.JsonRpcProvider(rpc, undefined, { staticNetwork: true, batchMaxCount: 100 });
const abi = new ethers.Interface([
  'event SchedulerNotice(address indexed workerpool, bytes32 dealid)',
  'event OrdersMatched(bytes32 dealid, bytes32 appHash, bytes32 datasetHash, bytes32 workerpoolHash, bytes32 requestHash, uint256 volume)',
  'event TaskInitialize(bytes32 indexed taskid, address indexed workerpool)',
  'event TaskContribute(bytes32 indexed taskid, address indexed worker, bytes32 hash)',
  'event TaskConsensus(bytes32 indexed taskid, bytes32 consensus)',
  'event TaskReveal(bytes32 indexed taskid, address indexed worker, bytes32 digest)',
  'event TaskReopen(bytes32 indexed taskid)',
  'event TaskFinalize(bytes32 indexed taskid, bytes results)',
  'event TaskClaimed(bytes32 indexed taskid)',
  'event Reward(address owner, uint256 amount, bytes32 ref)',
  'event Seize(address owner, uint256 amount, bytes32 ref)',
  'event Lock(address owner, uint256 amount)',
  'event Unlock(address owner, uint256 amount)',
]);
const topics = abi.fragments.map((f) => f.topicHash);
const pool = workerpool.toLowerCase();
const from = Number(fromText), to = Number(toText);

const started = process.hrtime.bigint();
const owner = new ethers.Contract(workerpool, ['function owner() view returns (address)'], provider);
const scheduler = (await owner.owner()).toLowerCase();
const deals = new Set(), tasks = new Set(), workers = new Set(), txs = new Set(), blocks = new Set();
let logs = 0, events = 0;
for (let start = from; start <= to; start += 2000) {
  const end = Math.min(to, start + 1999);
  const batch = await provider.getLogs({ address: hub, topics: [topics], fromBlock: start, toBlock: end });
  logs += batch.length;
  const parsed = batch.map((log) => ({ log, e: abi.parseLog(log) }));
  for (const { log, e } of parsed) {
    const id = e.args[0];
    if (e.name === 'SchedulerNotice' && e.args.workerpool.toLowerCase() === pool) deals.add(e.args.dealid);
    else if (e.name === 'TaskInitialize' && e.args.workerpool.toLowerCase() === pool) tasks.add(id);
    else if (e.name === 'TaskContribute' && tasks.has(id)) workers.add(e.args.worker.toLowerCase());
    else if (!e.name.startsWith('Task') || !tasks.has(id)) continue;
    txs.add(log.transactionHash);
  }
  for (const { log, e } of parsed) {
    let keep = false;
    if (e.name === 'SchedulerNotice' || e.name === 'OrdersMatched') keep = deals.has(e.args.dealid);
    else if (e.name === 'Reward' || e.name === 'Seize') keep = tasks.has(e.args.ref);
    else if (e.name === 'Lock' || e.name === 'Unlock') {
      const who = e.args.owner.toLowerCase();
      keep = txs.has(log.transactionHash) && (who === scheduler || workers.has(who));
    }
    else keep = tasks.has(e.args[0]);
    if (keep) { events += 1; blocks.add(log.blockNumber); }
  }
}
await Promise.all([...blocks].map((b) => provider.getBlock(b)));
await Promise.all([...txs].map((t) => provider.getTransactionReceipt(t)));
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
console.log(JSON.stringify({ seconds, logs, events, deals: deals.size }));
provider.destroy();
