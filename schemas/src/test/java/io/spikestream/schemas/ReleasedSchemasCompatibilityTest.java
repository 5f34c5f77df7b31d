package io.spikestream.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every released schema (src/main/avro-released/N/*.avsc) must stay readable by the current
 * generated classes: Avro's compatibility check passes and a record written with the old schema
 * decodes into the current class with every shared field intact.
 */
class ReleasedSchemasCompatibilityTest {
    private static final Path RELEASED = Path.of("src/main/avro-released");

    private static final Map<String, Schema> CURRENT = Map.of(
            EventPacket.getClassSchema().getFullName(), EventPacket.getClassSchema(),
            Classification.getClassSchema().getFullName(), Classification.getClassSchema(),
            DeadLetter.getClassSchema().getFullName(), DeadLetter.getClassSchema());

    @Test
    void everyCurrentTopLevelSchemaHasBeenReleasedAtLeastOnce() throws IOException {
        List<String> released = releasedSchemas().stream().map(Schema::getFullName).toList();
        for (String name : CURRENT.keySet()) {
            assertTrue(released.contains(name), name + " has no copy under " + RELEASED.toAbsolutePath());
        }
    }

    @TestFactory
    Stream<DynamicTest> currentSchemasReadDataWrittenWithEveryReleasedVersion() throws IOException {
        List<Path> files = releasedFiles();
        assertFalse(files.isEmpty(), "no released schemas under " + RELEASED.toAbsolutePath());
        return files.stream().map(file -> DynamicTest.dynamicTest(RELEASED.relativize(file).toString(), () -> {
            Schema old = new Schema.Parser().parse(file.toFile());
            Schema current = CURRENT.get(old.getFullName());
            assertNotNull(current, file + " declares " + old.getFullName()
                    + ", which no longer exists: old data of this type could not be read");

            SchemaCompatibility.SchemaPairCompatibility compat =
                    SchemaCompatibility.checkReaderWriterCompatibility(current, old);
            assertEquals(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE, compat.getType(),
                    () -> file + ": " + compat.getResult().getIncompatibilities());

            Object written = new SampleData().of(old);
            byte[] bytes = encode(old, written);
            SpecificDatumReader<SpecificRecord> reader = new SpecificDatumReader<>(old, current);
            SpecificRecord decoded = reader.read(null, DecoderFactory.get().binaryDecoder(bytes, null));
            assertInstanceOf(SpecificRecord.class, decoded);
            assertSameSharedData(old, written, decoded, old.getName());
        }));
    }

    @Test
    void aFieldAddedWithoutDefaultIsReportedAsIncompatible() {
        Schema old = DeadLetter.getClassSchema();
        List<Schema.Field> fields = new ArrayList<>();
        for (Schema.Field f : old.getFields()) {
            fields.add(new Schema.Field(f, f.schema()));
        }
        fields.add(new Schema.Field("mandatoryNewField", Schema.create(Schema.Type.LONG), "no default", (Object) null));
        Schema changed = Schema.createRecord(old.getName(), old.getDoc(), old.getNamespace(), false, fields);

        assertNotEquals(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE,
                SchemaCompatibility.checkReaderWriterCompatibility(changed, old).getType());
    }

    private static List<Path> releasedFiles() throws IOException {
        try (Stream<Path> s = Files.walk(RELEASED)) {
            return s.filter(p -> p.toString().endsWith(".avsc")).sorted().toList();
        }
    }

    private static List<Schema> releasedSchemas() throws IOException {
        List<Schema> out = new ArrayList<>();
        for (Path p : releasedFiles()) {
            out.add(new Schema.Parser().parse(p.toFile()));
        }
        return out;
    }

    private static byte[] encode(Schema schema, Object datum) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<>(schema).write(datum, enc);
        enc.flush();
        return out.toByteArray();
    }

    /** Compares the data written with {@code schema} to what the current class decoded, field by field (by name). */
    private static void assertSameSharedData(Schema schema, Object written, Object decoded, String path) {
        switch (schema.getType()) {
            case RECORD -> {
                IndexedRecord w = (IndexedRecord) written;
                IndexedRecord d = (IndexedRecord) decoded;
                for (Schema.Field f : schema.getFields()) {
                    Schema.Field df = d.getSchema().getField(f.name());
                    if (df != null) {
                        assertSameSharedData(f.schema(), w.get(f.pos()), d.get(df.pos()), path + "." + f.name());
                    }
                }
            }
            case ARRAY -> {
                List<?> w = (List<?>) written;
                List<?> d = (List<?>) decoded;
                assertEquals(w.size(), d.size(), path + " length");
                for (int i = 0; i < w.size(); i++) {
                    assertSameSharedData(schema.getElementType(), w.get(i), d.get(i), path + "[" + i + "]");
                }
            }
            case MAP -> {
                Map<?, ?> w = (Map<?, ?>) written;
                Map<?, ?> d = (Map<?, ?>) decoded;
                assertEquals(w.size(), d.size(), path + " size");
                Map<String, Object> byKey = new HashMap<>();
                d.forEach((k, v) -> byKey.put(k.toString(), v));
                w.forEach((k, v) -> assertSameSharedData(schema.getValueType(), v, byKey.get(k.toString()), path + "[" + k + "]"));
            }
            case UNION -> {
                int branch = GenericData.get().resolveUnion(schema, written);
                assertSameSharedData(schema.getTypes().get(branch), written, decoded, path);
            }
            case STRING, ENUM -> assertEquals(written.toString(), decoded.toString(), path);
            case FIXED -> assertEquals(written, decoded instanceof GenericData.Fixed ? decoded
                    : new GenericData.Fixed(schema, ((org.apache.avro.generic.GenericFixed) decoded).bytes()), path);
            case BYTES -> assertEquals(((ByteBuffer) written).duplicate().rewind(), ((ByteBuffer) decoded).duplicate().rewind(), path);
            // numbers may have been promoted (int -> long -> float -> double)
            case INT, LONG, FLOAT, DOUBLE -> assertEquals(((Number) written).doubleValue(), ((Number) decoded).doubleValue(), path);
            default -> assertEquals(written, decoded, path);
        }
    }

    /** Deterministic, distinct, non-default values for any schema, so that a lost or shuffled field shows. */
    private static final class SampleData {
        private int k = 1;

        Object of(Schema s) {
            k++;
            return switch (s.getType()) {
                case RECORD -> {
                    GenericData.Record r = new GenericData.Record(s);
                    for (Schema.Field f : s.getFields()) {
                        r.put(f.pos(), of(f.schema()));
                    }
                    yield r;
                }
                case ARRAY -> {
                    List<Object> l = new ArrayList<>();
                    for (int i = 0; i < 3; i++) {
                        l.add(of(s.getElementType()));
                    }
                    yield new GenericData.Array<>(s, l);
                }
                case MAP -> Map.of("a" + k, of(s.getValueType()), "b" + k, of(s.getValueType()));
                case UNION -> of(s.getTypes().stream().filter(t -> t.getType() != Schema.Type.NULL).findFirst().orElse(s.getTypes().get(0)));
                case ENUM -> new GenericData.EnumSymbol(s, s.getEnumSymbols().get(k % s.getEnumSymbols().size()));
                case FIXED -> {
                    byte[] b = new byte[s.getFixedSize()];
                    for (int i = 0; i < b.length; i++) {
                        b[i] = (byte) (k + i);
                    }
                    yield new GenericData.Fixed(s, b);
                }
                case STRING -> "value-" + k;
                case BYTES -> ByteBuffer.wrap(new byte[] {(byte) k, (byte) (k * 3), (byte) (k * 7), 0, -1});
                case INT -> 1000 + k;
                case LONG -> 5_000_000_000L + k;
                case FLOAT -> 0.25f * k;
                case DOUBLE -> 0.125 * k + 1e9;
                case BOOLEAN -> k % 2 == 0;
                case NULL -> null;
            };
        }
    }
}
