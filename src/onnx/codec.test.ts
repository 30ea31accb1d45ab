import assert from "node:assert/strict";
import { test } from "node:test";
import { decodeModel } from "./decode.js";
import { encodeModel } from "./encode.js";
import { modelBytes, modelNames } from "./models.test.helpers.js";
import { DataType } from "./tensor.js";
import { WireType, WireWriter } from "./wire.js";

for (const name of modelNames)
  test(`${name}.onnx decodes and re-encodes to the same bytes`, () => {
    const bytes = modelBytes(name);
    const model = decodeModel(bytes);
    assert.equal(model.producerName, "pytorch");
    assert.equal(model.opsetImport[0]?.version, 13);
    assert.ok((model.graph?.node.length ?? 0) > 0);
    assert.deepEqual(encodeModel(model), bytes);
  });

/** A message's bytes, written field by field in ascending order as C++ protobuf writes them. */
function message(write: (w: WireWriter) => void): Uint8Array {
  const w = new WireWriter();
  write(w);
  return w.finish();
}

const unknownPayload = Uint8Array.of(1, 2, 3, 250);

/**
 * An IR 10 model with fields this codec does not model at every level: ModelProto.functions (25)
 * and a field from the future (1000), GraphProto.sparse_initializer (15), a NodeProto field 10,
 * TensorProto.segment (3), a TypeProto.sequence_type (4), and one unknown varint and fixed64.
 */
function modelWithUnknownFields(): Uint8Array {
  const node = message((w) => {
    w.stringField(1, "x");
    w.stringField(2, "y");
    w.stringField(3, "relu");
    w.stringField(4, "Relu");
    w.stringField(8, "");
    w.bytesField(
      9,
      message((e) => {
        e.stringField(1, "k");
        e.stringField(2, "v");
      }),
    );
    w.bytesField(10, unknownPayload);
  });
  const tensor = message((w) => {
    w.tag(1, WireType.varint);
    w.varint(2);
    w.tag(2, WireType.varint);
    w.varint(DataType.FLOAT);
    w.bytesField(
      3,
      message((s) => {
        s.tag(1, WireType.varint);
        s.varint(0);
      }),
    );
    w.stringField(8, "unused");
    w.bytesField(9, new Uint8Array(8));
  });
  const typeProto = message((t) => {
    t.bytesField(
      1,
      message((tt) => {
        tt.tag(1, WireType.varint);
        tt.varint(DataType.FLOAT);
        tt.bytesField(
          2,
          message((s) =>
            s.bytesField(
              1,
              message((d) => d.stringField(2, "batch")),
            ),
          ),
        );
      }),
    );
  });
  const sequenceType = message((t) =>
    t.bytesField(
      4,
      message((s) => s.bytesField(1, typeProto)),
    ),
  );
  const graph = message((w) => {
    w.bytesField(1, node);
    w.stringField(2, "g");
    w.bytesField(5, tensor);
    w.stringField(10, "doc");
    w.bytesField(
      11,
      message((v) => {
        v.stringField(1, "x");
        v.bytesField(2, typeProto);
      }),
    );
    w.bytesField(
      12,
      message((v) => {
        v.stringField(1, "y");
        v.bytesField(2, typeProto);
      }),
    );
    w.bytesField(
      13,
      message((v) => {
        v.stringField(1, "s");
        v.bytesField(2, sequenceType);
      }),
    );
    w.bytesField(15, unknownPayload);
    w.bytesField(
      16,
      message((e) => {
        e.stringField(1, "gk");
        e.stringField(2, "gv");
      }),
    );
    w.tag(40, WireType.fixed64);
    w.float64(Math.PI);
  });
  return message((w) => {
    w.tag(1, WireType.varint);
    w.varint(10);
    w.stringField(2, "test");
    w.bytesField(7, graph);
    w.bytesField(
      8,
      message((o) => {
        o.stringField(1, "");
        o.tag(2, WireType.varint);
        o.varint(21);
      }),
    );
    w.bytesField(
      14,
      message((e) => {
        e.stringField(1, "author");
        e.stringField(2, "me");
      }),
    );
    w.bytesField(25, unknownPayload);
    w.tag(1000, WireType.varint);
    w.int64(-5n);
  });
}

test("fields the codec does not model survive a round trip byte for byte, in place", () => {
  const bytes = modelWithUnknownFields();
  const model = decodeModel(bytes);
  assert.deepEqual(
    model.rawFields.map((f) => f.field),
    [25, 1000],
  );
  const graph = model.graph!;
  assert.deepEqual(
    graph.rawFields.map((f) => f.field),
    [15, 40],
  );
  assert.deepEqual(
    graph.node[0]!.rawFields.map((f) => f.field),
    [10],
  );
  assert.equal(graph.node[0]!.overload, "");
  assert.deepEqual(graph.node[0]!.metadataProps[0]?.value, "v");
  assert.deepEqual(
    graph.initializer[0]!.rawFields.map((f) => f.field),
    [3],
  );
  assert.deepEqual(graph.valueInfo[0]!.type?.rawFields[0]?.field, 4);
  assert.equal(graph.input[0]!.type?.tensorType?.shape?.dim[0]?.dimParam, "batch");
  assert.deepEqual(encodeModel(model), bytes);
  // An edit elsewhere keeps the kept fields, still in field-number order.
  graph.docString = "edited";
  const again = decodeModel(encodeModel(model));
  assert.equal(again.graph?.docString, "edited");
  assert.deepEqual(again.rawFields, model.rawFields);
  assert.deepEqual(again.graph?.rawFields, graph.rawFields);
});

test("int64 extremes, uint64 above 2^63, NaN payloads and doubles are kept exactly", () => {
  const nanBits = Uint8Array.of(0x01, 0x00, 0xc0, 0x7f); // a quiet NaN with a payload
  const attribute = message((a) => {
    a.stringField(1, "ends");
    a.tag(3, WireType.varint);
    a.int64(9223372036854775807n);
    for (const v of [-1n, -9223372036854775808n, 3n]) {
      a.tag(8, WireType.varint);
      a.int64(v);
    }
    a.tag(20, WireType.varint);
    a.varint(7);
  });
  const tensor = message((t) => {
    t.tag(1, WireType.varint);
    t.varint(1);
    t.tag(2, WireType.varint);
    t.varint(DataType.FLOAT);
    t.tag(4, WireType.bytes);
    t.varint(4);
    t.raw(nanBits);
    t.stringField(8, "f");
  });
  const tensors = [
    tensor,
    message((t) => {
      t.tag(2, WireType.varint);
      t.varint(DataType.INT64);
      const packed = new WireWriter();
      packed.int64(-2n);
      packed.int64(2n ** 62n);
      t.bytesField(7, packed.finish());
      t.stringField(8, "i");
    }),
    message((t) => {
      t.tag(2, WireType.varint);
      t.varint(DataType.UINT64);
      t.stringField(8, "u");
      const packed = new WireWriter();
      packed.int64(2n ** 64n - 1n);
      t.bytesField(11, packed.finish());
    }),
    message((t) => {
      t.tag(2, WireType.varint);
      t.varint(DataType.DOUBLE);
      t.stringField(8, "d");
      const packed = new WireWriter();
      packed.float64(-0.1);
      t.bytesField(10, packed.finish());
    }),
  ];
  const bytes = message((m) => {
    m.tag(1, WireType.varint);
    m.varint(8);
    m.bytesField(
      7,
      message((g) => {
        g.bytesField(
          1,
          message((n) => {
            n.stringField(4, "Slice");
            n.bytesField(5, attribute);
          }),
        );
        for (const t of tensors) g.bytesField(5, t);
      }),
    );
  });
  const model = decodeModel(bytes);
  const a = model.graph!.node[0]!.attribute[0]!;
  assert.equal(a.i, 9223372036854775807n);
  assert.deepEqual(a.ints, [-1n, -9223372036854775808n, 3n]);
  const [f, i, u, d] = model.graph!.initializer;
  assert.deepEqual(new Uint8Array(f!.floatData!.buffer), nanBits);
  assert.deepEqual([...i!.int64Data!], [-2n, 2n ** 62n]);
  assert.deepEqual([...u!.uint64Data!], [2n ** 64n - 1n]);
  assert.deepEqual([...d!.doubleData!], [-0.1]);
  assert.deepEqual(encodeModel(model), bytes);
});

test("packed and unpacked encodings of a repeated field decode to the same values", () => {
  const unpacked = message((m) => {
    m.tag(1, WireType.varint);
    m.varint(8);
    m.bytesField(
      7,
      message((g) =>
        g.bytesField(
          5,
          message((t) => {
            for (const v of [1.5, -2]) {
              t.tag(4, WireType.fixed32);
              t.float32(v);
            }
            const dims = new WireWriter();
            dims.varint(2);
            t.bytesField(1, dims.finish()); // dims packed, though onnx.proto declares them unpacked
          }),
        ),
      ),
    );
  });
  const t = decodeModel(unpacked).graph!.initializer[0]!;
  assert.deepEqual([...t.floatData!], [1.5, -2]);
  assert.deepEqual(t.dims, [2]);
  // Written back the way onnx.proto declares the fields (dims unpacked, float_data packed).
  const again = decodeModel(encodeModel(decodeModel(unpacked))).graph!.initializer[0]!;
  assert.deepEqual([...again.floatData!], [1.5, -2]);
  assert.deepEqual(again.dims, [2]);
});
