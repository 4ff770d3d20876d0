package dev.threadleak.agent.expose;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** The few protobuf wire types a pprof profile needs: varints, length-delimited bytes and packed varints. */
final class Protobuf {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    /** A varint field; zero is the default and is left out, as protobuf encoders do. */
    Protobuf varint(int field, long value) {
        if (value == 0) return this;
        tag(field, 0);
        raw(value);
        return this;
    }

    Protobuf bytes(int field, byte[] value) {
        tag(field, 2);
        raw(value.length);
        out.writeBytes(value);
        return this;
    }

    /** A string field, written even when empty: string_table[0] must be "". */
    Protobuf string(int field, String value) {
        return bytes(field, value.getBytes(StandardCharsets.UTF_8));
    }

    Protobuf message(int field, Protobuf message) {
        return bytes(field, message.toByteArray());
    }

    Protobuf packed(int field, long[] values) {
        Protobuf body = new Protobuf();
        for (long v : values) body.raw(v);
        return bytes(field, body.toByteArray());
    }

    byte[] toByteArray() {
        return out.toByteArray();
    }

    private void tag(int field, int wireType) {
        raw((long) field << 3 | wireType);
    }

    private void raw(long value) {
        while ((value & ~0x7FL) != 0) {
            out.write((int) (value & 0x7F) | 0x80);
            value >>>= 7;
        }
        out.write((int) value);
    }
}
