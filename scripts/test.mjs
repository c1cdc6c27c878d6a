#!/usr/bin/env node
// Runs every test in the repository with node:test through tsx.
// Usage: node scripts/test.mjs [root...]   (default: packages, then tests)
// Unit tests (packages/*/test) run two files at a time; integration suites under
// tests/ start real processes and run one file at a time.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';

const repo = new URL('..', import.meta.url).pathname;
const roots = process.argv.slice(2);
const filter = process.env.TEST_FILTER ? new RegExp(process.env.TEST_FILTER) : null;

function findTests(dir, out) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) findTests(p, out);
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const groups = [];
const wanted = roots.length ? roots : ['packages', 'tests'];
for (const r of wanted) {
  const files = findTests(join(repo, r), []).filter((f) => !filter || filter.test(f)).sort();
  if (files.length) groups.push({ root: r, files, concurrency: r.startsWith('tests') ? 1 : 2 });
}

let failed = false;
if (!process.env.SKIP_TYPECHECK && roots.length === 0) {
  console.log('# typecheck');
  const tc = spawnSync(process.execPath, [join(repo, 'node_modules/typescript/bin/tsc'), '-p', join(repo, 'tsconfig.json'), '--noEmit'], { stdio: 'inherit', cwd: repo });
  if (tc.status !== 0) { console.log('typecheck failed'); failed = true; }
}
let pass = 0, fail = 0, skip = 0;
for (const g of groups) {
  console.log(`# ${g.root}: ${g.files.length} test files`);
  const res = spawnSync(process.execPath, ['--import', 'tsx', '--test', `--test-concurrency=${g.concurrency}`, '--test-reporter=spec', ...g.files.map((f) => relative(repo, f))], { cwd: repo, stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 30, env: { ...process.env, FORCE_COLOR: '0' } });
  const out = res.stdout.toString();
  process.stdout.write(out);
  const num = (k) => Number((out.match(new RegExp(`^ℹ ${k} (\\d+)`, 'm')) || [])[1] || 0);
  pass += num('pass'); fail += num('fail') + num('cancelled'); skip += num('skipped') + num('todo');
  if (res.status !== 0) failed = true;
}
console.log(`\n${pass} passed, ${fail} failed${skip ? `, ${skip} skipped` : ''}`);
process.exit(failed || fail > 0 ? 1 : 0);
