// Host script for Node, Deno and Bun: imports the built package (dist/index.js, the default export condition),
// runs the probe with the default module loading, prints one JSON line.
import * as lib from '../../dist/index.js';
import { probeBoth } from './probe.js';

console.log(JSON.stringify(await probeBoth(lib)));
