'use strict';
// The process inside an act sandbox. Plain JavaScript on purpose: it runs under Node's permission
// model with read access to nothing but Pyodide's files, this file and the prelude, so it cannot
// load a TypeScript loader from node_modules. Everything it says to the host is untrusted input
// there (the script may reach this process's JavaScript), so it only speaks newline-delimited
// JSON over fd 3, a socket the host opens for this alone, and reads the host's answers with
// blocking reads: Python stays synchronous while the worker answers vault and web calls. (fd 0
// and 1 are not used: Pyodide switches them to non-blocking mode.)
//
// argv: <pyodide dir> <prelude.py> <snapshot file or "-"> [--make-snapshot]

const fs = require('node:fs');
const path = require('node:path');

const [pyodideDir, preludePath, snapshotPath, mode] = process.argv.slice(2);

// Pyodide's NODEFS asks for process.binding('constants') at start; under the permission model
// process.binding is off limits, so hand it the public constants and nothing else.
process.binding = function binding(name) {
  if (name === 'constants') return { fs: fs.constants, os: require('node:os').constants };
  throw new Error(`process.binding('${name}') is not available in the act sandbox`);
};

const CHANNEL_FD = 3;
const pause = new Int32Array(new SharedArrayBuffer(4));

/** Retries a would-block error after a millisecond, should the descriptor ever be non-blocking. */
function blocking(op) {
  for (;;) {
    try {
      return op();
    } catch (err) {
      if (!err || err.code !== 'EAGAIN') throw err;
      Atomics.wait(pause, 0, 0, 1);
    }
  }
}

function writeAll(data) {
  let offset = 0;
  while (offset < data.length) offset += blocking(() => fs.writeSync(CHANNEL_FD, data, offset, data.length - offset));
}

function send(message) {
  writeAll(Buffer.from(`${JSON.stringify(message)}\n`, 'utf8'));
}

const chunks = [];
const readBuffer = Buffer.alloc(1 << 16);

/** The next line from the host; the sandbox ends when the host closes the pipe. */
function readLine() {
  for (;;) {
    const joined = chunks.length > 1 ? Buffer.concat(chunks.splice(0)) : chunks.pop();
    if (joined) {
      const end = joined.indexOf(0x0a);
      if (end >= 0) {
        if (end + 1 < joined.length) chunks.push(joined.subarray(end + 1));
        return joined.subarray(0, end).toString('utf8');
      }
      chunks.push(joined);
    }
    const n = blocking(() => fs.readSync(CHANNEL_FD, readBuffer, 0, readBuffer.length, null));
    if (n === 0) process.exit(0);
    chunks.push(Buffer.from(readBuffer.subarray(0, n)));
  }
}

function streamTo(kind) {
  const decoder = new TextDecoder('utf-8');
  return {
    write(bytes) {
      // In slices, so one huge print never becomes one huge string here or message there.
      for (let i = 0; i < bytes.length; i += 1 << 16) {
        const text = decoder.decode(bytes.subarray(i, i + (1 << 16)), { stream: true });
        if (text) send({ t: kind, s: text });
      }
      return bytes.length;
    },
  };
}

/** Errors that escape Python's own handling: the interpreter itself fell over. */
function crashError(err) {
  const text = String((err && err.message) || err);
  if (err instanceof RangeError && /call stack/i.test(text)) {
    return { type: 'RecursionError', message: 'the Python stack overflowed (recursion too deep); the sandbox was discarded' };
  }
  if (/memory/i.test(text)) return { type: 'MemoryError', message: `the sandbox ran out of memory: ${text}`, limit: 'memory' };
  return { type: 'SandboxCrash', message: `the Python runtime failed: ${text}` };
}

async function main() {
  const { loadPyodide } = require(path.join(pyodideDir, 'pyodide.js'));
  const indexURL = pyodideDir.endsWith('/') ? pyodideDir : `${pyodideDir}/`;
  const quiet = () => undefined;
  const common = { indexURL, env: { HOME: '/home/pyodide' }, stdout: quiet, stderr: quiet };

  if (mode === '--make-snapshot') {
    const pyodide = await loadPyodide({ ...common, _makeSnapshot: true });
    // Modules scripts commonly import, so a run does not pay for unzipping them.
    pyodide.runPython('import json, traceback, linecache, keyword, math, re, datetime, collections, itertools, functools, statistics, random, string, decimal, fractions');
    writeAll(Buffer.from(pyodide.makeMemorySnapshot()));
    return;
  }

  const snapshot = snapshotPath && snapshotPath !== '-' ? fs.readFileSync(snapshotPath) : undefined;
  const pyodide = await loadPyodide(snapshot ? { ...common, _loadSnapshot: snapshot } : common);
  pyodide.runPython(fs.readFileSync(preludePath, 'utf8'), { filename: '<par-act-prelude>' });
  const runJob = pyodide.globals.get('_par_act_run');
  pyodide.globals.delete('_par_act_run');
  // One trusted run before any script, so a script's run does not pay for first-use compilation.
  runJob(JSON.stringify({ code: 'save["w"] = [len(VARIABLES), MESSAGE]', variables: { v: 1 }, message: '', history: [], vault: null, allowedHosts: [] }), () => '{}');
  pyodide.setStdout(streamTo('out'));
  pyodide.setStderr(streamTo('out'));
  send({ t: 'ready', snapshot: Boolean(snapshot) });

  const jobLine = readLine();
  const callHost = (requestJson) => {
    writeAll(Buffer.from(`${requestJson}\n`, 'utf8'));
    return readLine();
  };
  let resultJson;
  try {
    resultJson = runJob(jobLine, callHost);
  } catch (err) {
    send({ t: 'result', ok: false, saved: {}, error: crashError(err) });
    process.exit(0);
  }
  writeAll(Buffer.from(`${resultJson}\n`, 'utf8'));
  process.exit(0);
}

main().catch((err) => {
  process.stderr.write(`act sandbox failed to start: ${(err && err.stack) || err}\n`);
  process.exit(70);
});
