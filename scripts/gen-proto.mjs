// Generates protos/gen/onecard.js (+ .d.ts) from protos/onecard/v1/*.proto with protobufjs-cli.
// The output is committed-free: it is generated before typecheck, tests, demo and bench, and
// never edited by hand. Runs in about a second; skipped when the output is newer than the inputs.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const srcDir = join(root, 'protos/onecard/v1');
const outDir = join(root, 'protos/gen');
const js = join(outDir, 'onecard.js');
const dts = join(outDir, 'onecard.d.ts');
const protos = readdirSync(srcDir)
  .filter((f) => f.endsWith('.proto'))
  .map((f) => join(srcDir, f));

const newest = Math.max(
  ...protos.map((p) => statSync(p).mtimeMs),
  statSync(fileURLToPath(import.meta.url)).mtimeMs,
);
if (!process.argv.includes('--force') && existsSync(dts) && statSync(dts).mtimeMs > newest) process.exit(0);

mkdirSync(outDir, { recursive: true });
const bin = (name) => join(root, 'node_modules/.bin', name);
execFileSync(
  bin('pbjs'),
  [
    '-t',
    'static-module',
    '-w',
    'es6',
    '--force-number',
    '--no-verify',
    '--no-convert',
    '--no-delimited',
    '--no-typeurl',
    '-p',
    join(root, 'protos'),
    '-o',
    js,
    ...protos,
  ],
  { stdio: 'inherit' },
);
// ESM needs the file extension on the runtime import.
writeFileSync(
  js,
  readFileSync(js, 'utf8').replace(/from "protobufjs\/minimal"/, 'from "protobufjs/minimal.js"'),
);
execFileSync(bin('pbts'), ['-o', dts, js], { stdio: 'inherit' });
console.error(`generated ${js.slice(root.length + 1)} and .d.ts from ${protos.length} protos`);
