package dev.threadleak.agent.expose;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The protobuf wire format pprof profiles are written in, checked against the encodings the protobuf docs give. */
class ProtobufTest {
    @Test
    void varintsAreLittleEndianBase128AndZeroIsLeftOut() {
        // protobuf docs: field 1 = 150 is 08 96 01; 300 is AC 02
        assertThat(new Protobuf().varint(1, 150).toByteArray()).containsExactly(0x08, 0x96, 0x01);
        assertThat(new Protobuf().varint(2, 300).toByteArray()).containsExactly(0x10, 0xAC, 0x02);
        assertThat(new Protobuf().varint(1, 0).toByteArray()).isEmpty();
        // a negative int64 is ten bytes, the last 0x01
        byte[] minusOne = new Protobuf().varint(1, -1).toByteArray();
        assertThat(minusOne).hasSize(11).startsWith(0x08, 0xFF).endsWith(0x01);
    }

    @Test
    void stringsMessagesAndPackedFieldsAreLengthDelimited() {
        // protobuf docs: field 2 = "testing" is 12 07 74 65 73 74 69 6e 67
        assertThat(new Protobuf().string(2, "testing").toByteArray()).containsExactly(0x12, 0x07, 0x74, 0x65, 0x73, 0x74, 0x69, 0x6e, 0x67);
        assertThat(new Protobuf().string(6, "").toByteArray()).containsExactly(0x32, 0x00);
        assertThat(new Protobuf().message(3, new Protobuf().varint(1, 150)).toByteArray()).containsExactly(0x1a, 0x03, 0x08, 0x96, 0x01);
        // protobuf docs: packed field 4 = [3, 270, 86942] is 22 06 03 8E 02 9E A7 05
        assertThat(new Protobuf().packed(4, new long[] {3, 270, 86942}).toByteArray()).containsExactly(0x22, 0x06, 0x03, 0x8E, 0x02, 0x9E, 0xA7, 0x05);
    }
}
