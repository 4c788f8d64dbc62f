// numpy (float32, one OpenBLAS thread) versions of bench/nn.js's network workloads, written the way a numpy user
// would: the MLP 784-256(relu)-128(relu)-10(softmax) with cross-entropy on integer labels and SGD, and the 2-16-16-1
// tanh net with mean squared error and SGD; forward, backward and update by hand (numpy has no autograd).
// Runs in one python3 subprocess; OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are unset for that subprocess only.
import { spawnSync } from 'node:child_process';

const SCRIPT = `
import json, sys, time
import numpy as np
jobs = json.loads(sys.argv[1]); ms = float(sys.argv[2]); reps = int(sys.argv[3])
clock = time.process_time if sys.argv[4] == 'cpu' else time.perf_counter
f32 = np.float32
rng = np.random.default_rng(1)
POOL = 16

def make(sizes, acts, loss):
    Ws, bs = [], []
    for i in range(len(sizes) - 1):
        lim = np.sqrt(6.0 / (sizes[i] + sizes[i + 1]))
        Ws.append(rng.uniform(-lim, lim, (sizes[i], sizes[i + 1])).astype(f32))
        bs.append(np.zeros(sizes[i + 1], f32))
    lr = f32(0.01)
    def forward(x):
        zs, ys = [], [x]
        for i, (W, b) in enumerate(zip(Ws, bs)):
            z = ys[-1] @ W + b
            a = acts[i]
            if a == 'relu': y = np.maximum(z, f32(0))
            elif a == 'tanh': y = np.tanh(z)
            elif a == 'softmax':
                e = np.exp(z - z.max(axis=1, keepdims=True)); y = e / e.sum(axis=1, keepdims=True)
            else: y = z
            zs.append(z); ys.append(y)
        return zs, ys
    def train(x, t):
        zs, ys = forward(x)
        n = x.shape[0]
        if loss == 'ce':
            d = ys[-1].copy(); d[np.arange(n), t] -= f32(1); d /= f32(n)
        else:
            d = (ys[-1] - t) * f32(2.0 / t.size)
        for i in range(len(Ws) - 1, -1, -1):
            if i < len(Ws) - 1:
                a = acts[i]
                if a == 'relu': d = d * (zs[i] > 0)
                elif a == 'tanh': d = d * (f32(1) - ys[i + 1] * ys[i + 1])
            gW = ys[i].T @ d; gb = d.sum(axis=0)
            if i > 0: d = d @ Ws[i].T
            Ws[i] -= lr * gW; bs[i] -= lr * gb
    return forward, train

out = {}
for j in jobs:
    sizes, acts, loss, kind, batch = j['sizes'], j['acts'], j['loss'], j['kind'], j['batch']
    forward, train = make(sizes, acts, loss)
    xs = [(rng.random((batch, sizes[0]), dtype=f32) - f32(0.5)) for _ in range(POOL)]
    if loss == 'ce': ts = [rng.integers(0, sizes[-1], batch) for _ in range(POOL)]
    else: ts = [(rng.random((batch, sizes[-1]), dtype=f32) - f32(0.5)) for _ in range(POOL)]
    k = [0]
    def step():
        i = k[0] & (POOL - 1); k[0] += 1
        if kind == 'train': train(xs[i], ts[i])
        else: forward(xs[0])
    for _ in range(5): step()
    rates = []
    for r in range(reps):
        calls = 0; w0 = time.perf_counter(); c0 = clock()
        while time.perf_counter() - w0 < ms / 1000:
            step(); calls += 1
        rates.append(calls * j['perCall'] / (clock() - c0))
    rates.sort()
    out[j['key']] = {'median': rates[len(rates) // 2], 'min': rates[0], 'max': rates[-1]}
print(json.dumps({'version': np.__version__, 'results': out}))
`;

/**
 * Rates (units per second, units = perCall per call) of each job { key, sizes, acts, loss: 'ce' | 'mse',
 * kind: 'train' | 'infer', batch, perCall }, or { unavailable: reason }.
 */
export function numpyNets(jobs, { ms = 300, reps = 3, clock = 'wall' } = {}) {
  const r = spawnSync('env', ['-u', 'OPENBLAS_CORETYPE', '-u', 'OPENBLAS_L2_SIZE', 'OPENBLAS_NUM_THREADS=1',
    'python3', '-c', SCRIPT, JSON.stringify(jobs), String(ms), String(reps), clock], { encoding: 'utf8', timeout: 900_000 });
  if (r.error || r.status !== 0) {
    const why = r.error ? r.error.message : (r.stderr || '').trim().split('\n').pop();
    return { unavailable: `not available (${why || 'python3 with numpy not found'})` };
  }
  try { return JSON.parse(r.stdout.trim().split('\n').pop()); } catch { return { unavailable: 'not available (unreadable numpy output)' }; }
}
