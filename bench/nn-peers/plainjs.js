// Hand-written Float32Array baselines: i-k-j matmul, and a dense network (forward, backprop, SGD) written the way a
// careful JS programmer would, with every buffer allocated once.

/** C = A B for n x n, i-k-j order (the cache-friendly plain loop). */
export function plainMatmul(n) {
  const a = new Float32Array(n * n).map((_, i) => ((i * 7) % 13) / 13 - 0.5);
  const b = new Float32Array(n * n).map((_, i) => ((i * 5) % 11) / 11 - 0.5);
  const c = new Float32Array(n * n);
  return {
    fn() {
      c.fill(0);
      for (let i = 0; i < n; i++) {
        const ci = i * n;
        for (let k = 0; k < n; k++) {
          const aik = a[ci + k], bk = k * n;
          for (let j = 0; j < n; j++) c[ci + j] += aik * b[bk + j];
        }
      }
      return c;
    },
  };
}

const ACT = {
  relu: { f: (z) => (z > 0 ? z : 0), d: (z, y) => (z > 0 ? 1 : 0) },
  tanh: { f: Math.tanh, d: (z, y) => 1 - y * y },
  linear: { f: (z) => z, d: () => 1 },
};

/**
 * A dense network in plain JS. `sizes`: [inputs, ...units]; `acts` per layer ('relu' | 'tanh' | 'linear' |
 * 'softmax' last); loss 'ce' (softmax output, integer labels) or 'mse'. `cap`: largest batch.
 */
export function plainDense(sizes, acts, loss, lr, cap) {
  let s = 12345;
  const rnd = () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 2 ** 32 - 0.5; };
  const L = sizes.length - 1;
  const W = [], B = [], Z = [], Y = [], DZ = [], GW = [], GB = [];
  for (let l = 0; l < L; l++) {
    const fin = sizes[l], fout = sizes[l + 1], sc = Math.sqrt(6 / (fin + fout)) * 2;
    W.push(new Float32Array(fin * fout).map(() => rnd() * sc));
    B.push(new Float32Array(fout));
    Z.push(new Float32Array(cap * fout)); Y.push(new Float32Array(cap * fout)); DZ.push(new Float32Array(cap * fout));
    GW.push(new Float32Array(fin * fout)); GB.push(new Float32Array(fout));
  }
  const DX = sizes.map((w) => new Float32Array(cap * w));

  function forward(x, rows) {
    let inp = x;
    for (let l = 0; l < L; l++) {
      const fin = sizes[l], fout = sizes[l + 1], w = W[l], b = B[l], z = Z[l], y = Y[l];
      for (let r = 0; r < rows; r++) {
        const zo = r * fout, io = r * fin;
        for (let j = 0; j < fout; j++) z[zo + j] = b[j];
        for (let k = 0; k < fin; k++) {
          const v = inp[io + k];
          if (v === 0) continue;
          const wo = k * fout;
          for (let j = 0; j < fout; j++) z[zo + j] += v * w[wo + j];
        }
        if (acts[l] === 'softmax') {
          let m = -Infinity;
          for (let j = 0; j < fout; j++) if (z[zo + j] > m) m = z[zo + j];
          let sum = 0;
          for (let j = 0; j < fout; j++) { const e = Math.exp(z[zo + j] - m); y[zo + j] = e; sum += e; }
          for (let j = 0; j < fout; j++) y[zo + j] /= sum;
        } else {
          const f = ACT[acts[l]].f;
          for (let j = 0; j < fout; j++) y[zo + j] = f(z[zo + j]);
        }
      }
      inp = y;
    }
    return Y[L - 1];
  }

  function train(x, t, rows) {
    const out = forward(x, rows);
    const no = sizes[L], dzL = DZ[L - 1];
    let lossSum = 0;
    if (loss === 'ce') {
      for (let r = 0; r < rows; r++) {
        const lab = t[r];
        lossSum -= Math.log(out[r * no + lab] + 1e-12);
        for (let j = 0; j < no; j++) dzL[r * no + j] = (out[r * no + j] - (j === lab ? 1 : 0)) / rows;
      }
    } else {
      const d = ACT[acts[L - 1]].d, z = Z[L - 1];
      for (let i = 0; i < rows * no; i++) {
        const e = out[i] - t[i];
        lossSum += e * e;
        dzL[i] = (2 * e / (rows * no)) * d(z[i], out[i]);
      }
    }
    for (let l = L - 1; l >= 0; l--) {
      const fin = sizes[l], fout = sizes[l + 1], dz = DZ[l], w = W[l], gw = GW[l], gb = GB[l];
      const inp = l === 0 ? x : Y[l - 1];
      gw.fill(0); gb.fill(0);
      for (let r = 0; r < rows; r++) {
        const io = r * fin, zo = r * fout;
        for (let j = 0; j < fout; j++) gb[j] += dz[zo + j];
        for (let k = 0; k < fin; k++) {
          const v = inp[io + k];
          if (v === 0) continue;
          const wo = k * fout;
          for (let j = 0; j < fout; j++) gw[wo + j] += v * dz[zo + j];
        }
      }
      if (l > 0) {
        const dzp = DZ[l - 1], zp = Z[l - 1], yp = Y[l - 1], d = ACT[acts[l - 1]].d;
        for (let r = 0; r < rows; r++) {
          const io = r * fin, zo = r * fout;
          for (let k = 0; k < fin; k++) {
            const wo = k * fout;
            let sum = 0;
            for (let j = 0; j < fout; j++) sum += dz[zo + j] * w[wo + j];
            dzp[io + k] = sum * d(zp[io + k], yp[io + k]);
          }
        }
      }
      for (let i = 0; i < w.length; i++) w[i] -= lr * gw[i];
      for (let j = 0; j < fout; j++) B[l][j] -= lr * gb[j];
    }
    return lossSum / rows;
  }
  return { forward, train, W, B };
}
