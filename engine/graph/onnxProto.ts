// A minimal ONNX ModelProto writer: just the protobuf fields our compiled dream graphs use.
// Field numbers follow onnx.proto (proto2; repeated scalars written unpacked, which every parser accepts).

class Writer {
  private chunks: Uint8Array[] = [];
  private size = 0;

  private push(bytes: Uint8Array): void {
    this.chunks.push(bytes);
    this.size += bytes.length;
  }

  varint(value: number | bigint): void {
    let v = BigInt.asUintN(64, BigInt(value));
    const out: number[] = [];
    while (v >= 0x80n) {
      out.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    out.push(Number(v));
    this.push(Uint8Array.from(out));
  }

  key(field: number, wire: 0 | 2 | 5): void {
    this.varint((field << 3) | wire);
  }

  int(field: number, value: number): void {
    this.key(field, 0);
    this.varint(value);
  }

  float(field: number, value: number): void {
    this.key(field, 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, value, true);
    this.push(b);
  }

  bytes(field: number, value: Uint8Array): void {
    this.key(field, 2);
    this.varint(value.length);
    this.push(value);
  }

  string(field: number, value: string): void {
    this.bytes(field, new TextEncoder().encode(value));
  }

  message(field: number, build: (w: Writer) => void): void {
    const inner = new Writer();
    build(inner);
    this.bytes(field, inner.finish());
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

export type AttrValue = number | string | number[] | { floats: number[] };

/** An attribute's value; integers stay INT(S), `{floats}` and non-integers become FLOAT(S). */
function writeAttribute(w: Writer, name: string, value: AttrValue): void {
  w.string(1, name);
  if (typeof value === 'string') {
    w.string(4, value);
    w.int(20, 3);
  } else if (typeof value === 'number') {
    if (Number.isInteger(value)) {
      w.int(3, value);
      w.int(20, 2);
    } else {
      w.float(2, value);
      w.int(20, 1);
    }
  } else if (Array.isArray(value)) {
    for (const v of value) w.int(8, v);
    w.int(20, 7);
  } else {
    for (const v of value.floats) w.float(7, v);
    w.int(20, 6);
  }
}

export interface OnnxNode {
  op: string;
  inputs: string[];
  outputs: string[];
  attrs?: Record<string, AttrValue>;
}

export interface OnnxTensor {
  name: string;
  dims: number[];
  data: Float32Array | BigInt64Array;
}

export interface OnnxValue {
  name: string;
  dims: number[];
}

const FLOAT = 1;
const INT64 = 7;

function writeValueInfo(w: Writer, v: OnnxValue): void {
  w.string(1, v.name);
  w.message(2, (type) =>
    type.message(1, (tensor) => {
      tensor.int(1, FLOAT);
      tensor.message(2, (shape) => v.dims.forEach((d) => shape.message(1, (dim) => dim.int(1, d))));
    }),
  );
}

export interface OnnxGraph {
  nodes: OnnxNode[];
  initializers: OnnxTensor[];
  inputs: OnnxValue[];
  outputs: OnnxValue[];
}

export const OPSET = 17;

/** Serialises a graph as an ONNX model (IR version 8, default domain at OPSET). */
export function encodeModel(graph: OnnxGraph, name = 'reverie'): Uint8Array {
  const w = new Writer();
  w.int(1, 8); // ir_version
  w.string(2, 'reverie');
  w.message(7, (g) => {
    graph.nodes.forEach((node, i) =>
      g.message(1, (n) => {
        node.inputs.forEach((x) => n.string(1, x));
        node.outputs.forEach((y) => n.string(2, y));
        n.string(3, `${node.op}_${i}`);
        n.string(4, node.op);
        for (const [k, v] of Object.entries(node.attrs ?? {})) n.message(5, (a) => writeAttribute(a, k, v));
      }),
    );
    g.string(2, name);
    for (const t of graph.initializers) {
      g.message(5, (tp) => {
        t.dims.forEach((d) => tp.int(1, d));
        tp.int(2, t.data instanceof Float32Array ? FLOAT : INT64);
        tp.string(8, t.name);
        tp.bytes(9, new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
      });
    }
    graph.inputs.forEach((v) => g.message(11, (vi) => writeValueInfo(vi, v)));
    graph.outputs.forEach((v) => g.message(12, (vi) => writeValueInfo(vi, v)));
  });
  w.message(8, (op) => {
    op.string(1, '');
    op.int(2, OPSET);
  });
  return w.finish();
}
