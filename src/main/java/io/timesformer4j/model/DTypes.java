package io.timesformer4j.model;

import org.bytedeco.pytorch.global.torch.ScalarType;

/** Element types shared by the safetensors and torch-zip readers. */
enum DTypes {
    F64("F64", ScalarType.Double, 8, "DoubleStorage"),
    F32("F32", ScalarType.Float, 4, "FloatStorage"),
    F16("F16", ScalarType.Half, 2, "HalfStorage"),
    BF16("BF16", ScalarType.BFloat16, 2, "BFloat16Storage"),
    I64("I64", ScalarType.Long, 8, "LongStorage"),
    I32("I32", ScalarType.Int, 4, "IntStorage"),
    I16("I16", ScalarType.Short, 2, "ShortStorage"),
    I8("I8", ScalarType.Char, 1, "CharStorage"),
    U8("U8", ScalarType.Byte, 1, "ByteStorage"),
    BOOL("BOOL", ScalarType.Bool, 1, "BoolStorage");

    final String safetensorsName;
    final ScalarType scalarType;
    final int size;
    final String torchStorage;

    DTypes(String st, ScalarType t, int size, String storage) {
        this.safetensorsName = st;
        this.scalarType = t;
        this.size = size;
        this.torchStorage = storage;
    }

    static DTypes bySafetensorsName(String s) {
        for (DTypes d : values()) if (d.safetensorsName.equals(s)) return d;
        return null;
    }

    static DTypes byStorage(String s) {
        for (DTypes d : values()) if (d.torchStorage.equals(s)) return d;
        return null;
    }

    static DTypes of(ScalarType t) {
        ScalarType i = t.intern();
        for (DTypes d : values()) if (d.scalarType == i) return d;
        throw new IllegalArgumentException("unsupported tensor dtype " + t);
    }
}
