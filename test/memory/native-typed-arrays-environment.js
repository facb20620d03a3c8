// A jest environment for tests that run the local embedding model. onnxruntime-node's native code
// builds its output tensors' Float32Arrays in Node's own realm, and onnxruntime-common then checks
// them with `instanceof` against the test sandbox's Float32Array, which differs. Sharing Node's
// typed-array constructors with the sandbox makes both sides agree.
'use strict';
const { TestEnvironment } = require('jest-environment-node');

const SHARED = [
  'ArrayBuffer', 'SharedArrayBuffer', 'DataView',
  'Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array',
  'Int32Array', 'Uint32Array', 'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array',
];

class NativeTypedArraysEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of SHARED) this.global[name] = globalThis[name];
  }
}

module.exports = NativeTypedArraysEnvironment;
