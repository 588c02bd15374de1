// Part of the package's wasm optimization (scripts/build-pkg.sh), with binaryen 132 (npm
// `binaryen`): "snips" the Rust panic machinery. Every function of `core::panicking`,
// `std::panicking`, the panic handler and `core::fmt` gets the body `unreachable`. The package is built with
// panic = "abort", so a panic traps either way; without the snip each one first formats its
// message with `core::fmt` for a console nobody reads. This is what nightly's
// `panic_immediate_abort` (and the Rust wasm book's `wasm-snip`) do; stable Rust has no flag
// for it. build-pkg.sh then runs `wasm-opt -Oz`, which drops what only the panics reached.
// Usage: node scripts/shrink-wasm.mjs IN.wasm OUT.wasm   (IN straight from wasm-bindgen, with names)
import binaryen from "binaryen";
import { readFileSync, writeFileSync } from "node:fs";

const [input, output] = process.argv.slice(2);
// The panic entry points, and `core::fmt` with the Display/Debug impls that only panic
// messages use: nothing in the package formats at run time (no format!, to_string or {:?}
// outside tests; the browser tests run against the built package).
const SNIP = /panicking::|rust_begin_unwind|core(\[[0-9a-f]+\])?::fmt::/;

// Emptied (a no-op, not a trap): dropping a serde_json `Value`. The core's `Delivery` has one
// (`data`), but the package only ever puts `Value::Null` there (src/browser/wire.rs: a
// delivery's `data` stays the edge's JS object), whose drop does nothing. Were that to change,
// the result would be a leak, not a crash.
const EMPTY = /^core(\[[0-9a-f]+\])?::ptr::drop_in_place<serde_json(\[[0-9a-f]+\])?::value::Value>/;

const mod = binaryen.readBinary(readFileSync(input));
// The features build-pkg.sh gives wasm-opt (with all of them binaryen writes GC-era encodings).
const F = binaryen.Features;
mod.setFeatures(F.MutableGlobals | F.NontrappingFPToInt | F.BulkMemory | F.BulkMemoryOpt | F.SignExt |
  F.ReferenceTypes | F.Multivalue | F.CallIndirectOverlong);
const snipped = [];
for (let i = 0; i < mod.getNumFunctions(); i++) {
  const f = mod.getFunctionByIndex(i);
  const info = binaryen.getFunctionInfo(f);
  if (!info.module && SNIP.test(info.name)) {
    binaryen.Function.setBody(f, mod.unreachable());
    snipped.push(info.name);
  } else if (!info.module && EMPTY.test(info.name) && info.results === binaryen.none) {
    binaryen.Function.setBody(f, mod.nop());
    snipped.push(info.name);
  }
}
if (!snipped.some((n) => /rust_begin_unwind/.test(n))) {
  console.error("shrink-wasm: no panic handler found to snip (are the names there?)");
  process.exit(1);
}
binaryen.setDebugInfo(true);
writeFileSync(output, mod.emitBinary());
console.error(`shrink-wasm: snipped ${snipped.length} panic and formatting functions`);
