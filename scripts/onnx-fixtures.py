#!/usr/bin/env python3
"""Writes the third-party ONNX fixtures of tests/onnx with onnx.helper (Debian: apt-get install python3-onnx), laid
out the way PyTorch (torch.onnx.export), tf2onnx and skl2onnx write MLPs, with reference outputs computed in numpy
float64 from the stored float32 weights. The tests read the checked-in files and do not need Python.

    /usr/bin/python3 scripts/onnx-fixtures.py        # rewrites tests/fixtures/onnx/*.onnx and *.json
"""
import json
import math
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'tests', 'fixtures', 'onnx')
rs = np.random.RandomState(20261129)


def f32(a):
    return np.asarray(a, dtype=np.float32)


def weights(*shape, scale=0.5):
    return f32(rs.standard_normal(shape) * scale)


def raw(name, a):
    """Initializer with raw_data (what torch.onnx.export writes)."""
    return numpy_helper.from_array(f32(a), name)


def floats(name, a):
    """Initializer as float_data (what some converters write)."""
    a = f32(a)
    return helper.make_tensor(name, TensorProto.FLOAT, list(a.shape), a.flatten().tolist())


def io(name, dims):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, dims)


def save(name, graph, opset, x, y, producer, check=True):
    model = helper.make_model(graph, producer_name=producer, opset_imports=[helper.make_opsetid('', opset)])
    model.ir_version = 8
    if check:
        onnx.checker.check_model(model)
    with open(os.path.join(OUT, name + '.onnx'), 'wb') as fh:
        fh.write(model.SerializeToString())
    ref = {
        'producer': producer, 'opset': opset, 'rows': int(x.shape[0]), 'inputShape': list(x.shape),
        'input': [float(v) for v in f32(x).flatten()], 'output': [float(v) for v in np.asarray(y, dtype=np.float64).flatten()],
    }
    with open(os.path.join(OUT, name + '.json'), 'w') as fh:
        json.dump(ref, fh)
    print(name, os.path.getsize(os.path.join(OUT, name + '.onnx')), 'bytes')


def d(a):
    return np.asarray(a, dtype=np.float64)


def relu(z):
    return np.maximum(z, 0)


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def log_softmax(z):
    m = z.max(axis=1, keepdims=True)
    return z - m - np.log(np.exp(z - m).sum(axis=1, keepdims=True))


def erf(v):
    return np.vectorize(math.erf)(v)


def pytorch_mlp():
    """torch.onnx.export of nn.Sequential(Flatten, Linear, ReLU, Dropout, Linear, Identity, Softmax) in eval mode:
    Flatten, Gemm with transB=1 (weights stored [out, in]), Dropout with a ratio input, Identity."""
    W1, b1, W2, b2 = weights(8, 6), weights(8), weights(3, 8), weights(3)
    nodes = [
        helper.make_node('Flatten', ['input'], ['flat'], name='/0/Flatten', axis=1),
        helper.make_node('Gemm', ['flat', 'fc1.weight', 'fc1.bias'], ['g1'], name='/1/Gemm', alpha=1.0, beta=1.0, transB=1),
        helper.make_node('Relu', ['g1'], ['r1'], name='/2/Relu'),
        helper.make_node('Dropout', ['r1', 'ratio'], ['d1'], name='/3/Dropout'),
        helper.make_node('Gemm', ['d1', 'fc2.weight', 'fc2.bias'], ['g2'], name='/4/Gemm', alpha=1.0, beta=1.0, transB=1),
        helper.make_node('Identity', ['g2'], ['i2'], name='/5/Identity'),
        helper.make_node('Softmax', ['i2'], ['output'], name='/6/Softmax', axis=-1),
    ]
    inits = [raw('fc1.weight', W1), raw('fc1.bias', b1), raw('fc2.weight', W2), raw('fc2.bias', b2), raw('ratio', np.array(0.5, dtype=np.float32))]
    g = helper.make_graph(nodes, 'torch_jit', [io('input', ['batch', 2, 3])], [io('output', ['batch', 3])], inits)
    x = f32(rs.standard_normal((16, 2, 3)))
    h = relu(d(x).reshape(16, 6) @ d(W1).T + d(b1))
    save('pytorch-mlp', g, 17, x, softmax(h @ d(W2).T + d(b2)), 'pytorch')


def tf2onnx_mlp():
    """tf2onnx of a Keras Dense stack: MatMul + Add (kernel [in, out]), weights as float_data, a bias in a Constant node,
    Tanh, then a one-unit Sigmoid (binary classifier)."""
    W1, b1, W2, b2 = weights(5, 7), weights(7), weights(7, 1), weights(1)
    nodes = [
        helper.make_node('MatMul', ['input', 'dense/kernel'], ['m1'], name='dense/MatMul'),
        helper.make_node('Constant', [], ['dense/bias'], name='dense/bias_const', value=floats('b', b1)),
        helper.make_node('Add', ['m1', 'dense/bias'], ['a1'], name='dense/BiasAdd'),
        helper.make_node('Tanh', ['a1'], ['t1'], name='dense/Tanh'),
        helper.make_node('MatMul', ['t1', 'dense_1/kernel'], ['m2'], name='dense_1/MatMul'),
        helper.make_node('Add', ['m2', 'dense_1/bias'], ['a2'], name='dense_1/BiasAdd'),
        helper.make_node('Sigmoid', ['a2'], ['output'], name='dense_1/Sigmoid'),
    ]
    inits = [floats('dense/kernel', W1), floats('dense_1/kernel', W2), floats('dense_1/bias', b2)]
    g = helper.make_graph(nodes, 'tf2onnx', [io('input', ['unk__0', 5])], [io('output', ['unk__0', 1])], inits)
    x = f32(rs.standard_normal((16, 5)))
    h = np.tanh(d(x) @ d(W1) + d(b1))
    save('tf2onnx-mlp', g, 13, x, 1 / (1 + np.exp(-(h @ d(W2) + d(b2)))), 'tf2onnx')


def skl2onnx_mlp():
    """skl2onnx of MLPRegressor: MatMul + Add with the bias first in Add, Relu, and a linear output."""
    W1, b1, W2, b2 = weights(4, 10), weights(10), weights(10, 2), weights(2)
    nodes = [
        helper.make_node('MatMul', ['input', 'coefficient'], ['mul_result'], name='MatMul'),
        helper.make_node('Add', ['mul_result', 'intercepts'], ['add_result'], name='Add'),
        helper.make_node('Relu', ['add_result'], ['next_activations'], name='Relu'),
        helper.make_node('MatMul', ['next_activations', 'coefficient1'], ['mul_result1'], name='MatMul1'),
        helper.make_node('Add', ['mul_result1', 'intercepts1'], ['output'], name='Add1'),
    ]
    inits = [raw('coefficient', W1), raw('intercepts', b1.reshape(1, 10)), raw('coefficient1', W2), raw('intercepts1', b2.reshape(1, 2))]
    g = helper.make_graph(nodes, 'mlp_regressor', [io('input', [None, 4])], [io('output', [None, 2])], inits)
    x = f32(rs.standard_normal((16, 4)))
    h = relu(d(x) @ d(W1) + d(b1))
    save('skl2onnx-mlp', g, 13, x, h @ d(W2) + d(b2), 'skl2onnx')


def gelu_erf():
    """PyTorch's GELU below opset 20: Div(x, sqrt 2), Erf, Add 1, Mul x, Mul 0.5 (and the Mul(x, 0.5) first order)."""
    W1, b1, W2, b2, W3, b3 = weights(6, 8), weights(8), weights(8, 8), weights(8), weights(4, 8), weights(4)
    nodes = [
        helper.make_node('Gemm', ['input', 'W1', 'b1'], ['z1'], name='/fc1/Gemm'),
        helper.make_node('Div', ['z1', 'sqrt2'], ['q1'], name='/act1/Div'),
        helper.make_node('Erf', ['q1'], ['e1'], name='/act1/Erf'),
        helper.make_node('Add', ['e1', 'one'], ['p1'], name='/act1/Add'),
        helper.make_node('Mul', ['z1', 'p1'], ['m1'], name='/act1/Mul'),
        helper.make_node('Mul', ['m1', 'half'], ['h1'], name='/act1/Mul_1'),
        helper.make_node('Gemm', ['h1', 'W2', 'b2'], ['z2'], name='/fc2/Gemm'),
        helper.make_node('Mul', ['z2', 'half'], ['m2'], name='/act2/Mul'),
        helper.make_node('Mul', ['z2', 'rsqrt2'], ['q2'], name='/act2/Mul_1'),
        helper.make_node('Erf', ['q2'], ['e2'], name='/act2/Erf'),
        helper.make_node('Add', ['one', 'e2'], ['p2'], name='/act2/Add'),
        helper.make_node('Mul', ['m2', 'p2'], ['h2'], name='/act2/Mul_2'),
        helper.make_node('Gemm', ['h2', 'W3', 'b3'], ['output'], name='/fc3/Gemm', transB=1),
    ]
    inits = [raw('W1', W1), raw('b1', b1), raw('W2', W2), raw('b2', b2), raw('W3', W3), raw('b3', b3),
             raw('sqrt2', np.array(1.4142135381698608, dtype=np.float32)), raw('rsqrt2', np.array(0.7071067690849304, dtype=np.float32)),
             raw('one', np.array(1, dtype=np.float32)), raw('half', np.array(0.5, dtype=np.float32))]
    g = helper.make_graph(nodes, 'torch_jit', [io('input', ['batch', 6])], [io('output', ['batch', 4])], inits)
    x = f32(rs.standard_normal((16, 6)) * 2)

    def gelu(z):
        return z * 0.5 * (1 + erf(z / math.sqrt(2)))
    h = gelu(gelu(d(x) @ d(W1) + d(b1)) @ d(W2) + d(b2))
    save('pytorch-gelu-erf', g, 17, x, h @ d(W3).T + d(b3), 'pytorch')


def batchnorm_prelu():
    """Linear -> BatchNorm1d -> PReLU(num_parameters=C) -> Linear -> LeakyReLU -> BatchNorm1d -> Linear -> LogSoftmax,
    as torch.onnx.export writes it in eval mode (BatchNormalization in inference form, PRelu slope shape [C])."""
    C = 6
    W1, b1, W2, b2, W3, b3 = weights(C, 5), weights(C), weights(7, C), weights(7), weights(3, 7), weights(3)
    g1, be1, mu1, var1 = f32(1 + rs.standard_normal(C) * 0.2), weights(C), weights(C), f32(0.5 + rs.random_sample(C))
    g2, be2, mu2, var2 = f32(1 + rs.standard_normal(7) * 0.2), weights(7), weights(7), f32(0.5 + rs.random_sample(7))
    slope = f32(rs.random_sample(C) * 0.5)
    nodes = [
        helper.make_node('Gemm', ['input', 'W1', 'b1'], ['z1'], name='/0/Gemm', transB=1),
        helper.make_node('BatchNormalization', ['z1', 'g1', 'be1', 'mu1', 'var1'], ['n1'], name='/1/BatchNormalization', epsilon=1e-5, momentum=0.9),
        helper.make_node('PRelu', ['n1', 'slope'], ['p1'], name='/2/PRelu'),
        helper.make_node('Gemm', ['p1', 'W2', 'b2'], ['z2'], name='/3/Gemm', transB=1),
        helper.make_node('LeakyRelu', ['z2'], ['l2'], name='/4/LeakyRelu', alpha=0.1),
        helper.make_node('BatchNormalization', ['l2', 'g2', 'be2', 'mu2', 'var2'], ['n2'], name='/5/BatchNormalization', epsilon=1e-3),
        helper.make_node('Gemm', ['n2', 'W3', 'b3'], ['z3'], name='/6/Gemm', transB=1),
        helper.make_node('LogSoftmax', ['z3'], ['output'], name='/7/LogSoftmax', axis=1),
    ]
    inits = [raw(n, v) for n, v in [('W1', W1), ('b1', b1), ('W2', W2), ('b2', b2), ('W3', W3), ('b3', b3), ('g1', g1), ('be1', be1),
                                    ('mu1', mu1), ('var1', var1), ('g2', g2), ('be2', be2), ('mu2', mu2), ('var2', var2), ('slope', slope)]]
    g = helper.make_graph(nodes, 'torch_jit', [io('input', ['batch', 5])], [io('output', ['batch', 3])], inits)
    x = f32(rs.standard_normal((16, 5)))
    z1 = d(x) @ d(W1).T + d(b1)
    n1 = (z1 - d(mu1)) / np.sqrt(d(var1) + np.float64(np.float32(1e-5))) * d(g1) + d(be1)
    p1 = np.where(n1 > 0, n1, n1 * d(slope))
    z2 = p1 @ d(W2).T + d(b2)
    l2 = np.where(z2 > 0, z2, z2 * np.float64(np.float32(0.1)))
    n2 = (l2 - d(mu2)) / np.sqrt(d(var2) + np.float64(np.float32(1e-3))) * d(g2) + d(be2)
    save('pytorch-batchnorm-prelu', g, 17, x, log_softmax(n2 @ d(W3).T + d(b3)), 'pytorch')


def layernorm_dropout():
    """Linear -> ReLU -> LayerNorm(8) -> Dropout -> Linear -> Softmax as torch.onnx.export writes it at opset 17 in eval
    mode (LayerNormalization over the last axis with scale and bias; Dropout with a ratio input). Its own generator, so
    the other fixtures do not change."""
    r = np.random.RandomState(20261130)
    w = lambda *shape: f32(r.standard_normal(shape) * 0.5)  # noqa: E731
    W1, b1, W2, b2 = w(8, 5), w(8), w(3, 8), w(3)
    gamma, beta = f32(1 + r.standard_normal(8) * 0.2), w(8)
    nodes = [
        helper.make_node('Gemm', ['input', 'W1', 'b1'], ['z1'], name='/0/Gemm', transB=1),
        helper.make_node('Relu', ['z1'], ['r1'], name='/1/Relu'),
        helper.make_node('LayerNormalization', ['r1', 'gamma', 'beta'], ['n1'], name='/2/LayerNormalization', axis=-1, epsilon=1e-5),
        helper.make_node('Dropout', ['n1', 'ratio'], ['d1'], name='/3/Dropout'),
        helper.make_node('Gemm', ['d1', 'W2', 'b2'], ['z2'], name='/4/Gemm', transB=1),
        helper.make_node('Softmax', ['z2'], ['output'], name='/5/Softmax', axis=-1),
    ]
    inits = [raw(n, v) for n, v in [('W1', W1), ('b1', b1), ('W2', W2), ('b2', b2), ('gamma', gamma), ('beta', beta),
                                    ('ratio', np.array(0.1, dtype=np.float32))]]
    g = helper.make_graph(nodes, 'torch_jit', [io('input', ['batch', 5])], [io('output', ['batch', 3])], inits)
    x = f32(r.standard_normal((16, 5)))
    h = relu(d(x) @ d(W1).T + d(b1))
    m = h.mean(axis=1, keepdims=True)
    v = ((h - m) ** 2).mean(axis=1, keepdims=True)
    n1 = (h - m) / np.sqrt(v + np.float64(np.float32(1e-5))) * d(gamma) + d(beta)
    save('pytorch-layernorm-dropout', g, 17, x, softmax(n1 @ d(W2).T + d(b2)), 'pytorch')


def activations(opset, name, acts, check=True):
    """One Gemm (alpha, beta, transB=0) per activation, for the element-wise ops other tools write."""
    n_in = 4
    nodes, inits = [], []
    cur, refs = 'input', []
    x = f32(rs.standard_normal((16, n_in)) * 2)
    h = d(x)
    for i, (op, attrs, fn, extra) in enumerate(acts):
        W, b = weights(n_in, n_in, scale=0.8), weights(n_in)
        alpha, beta = (0.5, 2.0) if i == 0 else (1.0, 1.0)
        nodes.append(helper.make_node('Gemm', [cur, f'W{i}', f'b{i}'], [f'z{i}'], name=f'gemm{i}', alpha=alpha, beta=beta))
        inits += [raw(f'W{i}', W), raw(f'b{i}', b)]
        ins = [f'z{i}']
        for k, v in (extra or {}).items():
            inits.append(raw(f'{k}{i}', v))
            ins.append(f'{k}{i}')
        out = 'output' if i == len(acts) - 1 else f'a{i}'
        nodes.append(helper.make_node(op, ins, [out], name=f'act{i}', **attrs))
        h = fn(h @ (np.float64(alpha) * d(W)) + np.float64(beta) * d(b))
        cur = out
    g = helper.make_graph(nodes, name, [io('input', ['N', n_in])], [io('output', ['N', n_in])], inits)
    save(name, g, opset, x, h, 'onnx.helper', check)


def main():
    os.makedirs(OUT, exist_ok=True)
    pytorch_mlp()
    tf2onnx_mlp()
    skl2onnx_mlp()
    gelu_erf()
    batchnorm_prelu()
    layernorm_dropout()
    r32 = lambda v: np.float64(np.float32(v))  # noqa: E731  attributes are float32
    sig = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    softplus = lambda z: np.log1p(np.exp(z))  # noqa: E731
    sa, sg = r32(1.67326319217681884765625), r32(1.05070102214813232421875)
    activations(17, 'activations-opset17', [
        ('Elu', {'alpha': 0.7}, lambda z: np.where(z > 0, z, r32(0.7) * np.expm1(z)), None),
        ('Selu', {}, lambda z: sg * np.where(z > 0, z, sa * np.expm1(z)), None),
        ('Celu', {'alpha': 1.3}, lambda z: np.maximum(z, 0) + np.minimum(0, r32(1.3) * np.expm1(z / r32(1.3))), None),
        ('HardSigmoid', {'alpha': 0.2, 'beta': 0.5}, lambda z: np.clip(r32(0.2) * z + 0.5, 0, 1), None),
        ('Softplus', {}, softplus, None),
        ('Softsign', {}, lambda z: z / (1 + np.abs(z)), None),
        ('HardSwish', {}, lambda z: z * np.clip(z / 6 + 0.5, 0, 1), None),
        ('Clip', {}, lambda z: np.clip(z, 0, 6), {'lo': np.array(0, dtype=np.float32), 'hi': np.array(6, dtype=np.float32)}),
        ('PRelu', {}, lambda z: np.where(z > 0, z, z * r32(0.3)), {'slope': np.array([0.3], dtype=np.float32)}),
        ('Sigmoid', {}, sig, None),
        ('Tanh', {}, np.tanh, None),
        ('LeakyRelu', {}, lambda z: np.where(z > 0, z, z * r32(0.01)), None),
    ])
    # Mish (opset 18) and Gelu (opset 20) are newer than this onnx package's checker: written without it.
    activations(20, 'activations-opset20', [
        ('Mish', {}, lambda z: z * np.tanh(softplus(z)), None),
        ('Gelu', {}, lambda z: z * 0.5 * (1 + erf(z / math.sqrt(2))), None),
        ('Gelu', {'approximate': 'tanh'}, lambda z: 0.5 * z * (1 + np.tanh(math.sqrt(2 / math.pi) * (z + 0.044715 * z ** 3))), None),
        ('Relu', {}, relu, None),
    ], check=False)


if __name__ == '__main__':
    main()
