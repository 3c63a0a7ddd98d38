// Deletes from Redis the records PostgreSQL's history holds, after the switch to
// ONECARD_HISTORY=postgres (docs/operations.md, "Switching a running city to the PostgreSQL
// history"; docs/decisions/0212). Reads the gateways' settings from the environment (their
// environment file: `set -a; . /etc/onecard/gateway.env; set +a`):
//   npm run redis:drop-records -- [--dry-run] [--older-than-days N] [--page N] [--max-pages N]
// Progress on stderr; on stdout the summary (JSON), or the refusal (problem+json, exit 2).
import { runDropRecords } from '../gateway/src/store/redis-drop-command.js';

try {
  const answer = await runDropRecords(process.env, process.argv.slice(2), Date.now(), (line) =>
    process.stderr.write(`[drop-records] ${line}\n`),
  );
  if (answer.ok) console.log(JSON.stringify(answer.summary, null, 2));
  else {
    console.log(JSON.stringify(answer.problem));
    process.stderr.write(`[drop-records] refused (${answer.problem.code}): ${answer.problem.detail}\n`);
    process.exitCode = 2;
  }
} catch (err) {
  process.stderr.write(`[drop-records] failed: ${(err as Error).message}\n`);
  process.exitCode = 1;
}
