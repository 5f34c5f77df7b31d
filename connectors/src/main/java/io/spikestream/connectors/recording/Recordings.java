package io.spikestream.connectors.recording;

import io.spikestream.connectors.event.SensorGeometry;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * Entry point to recordings: detects a file's format from its content (magic line or header, not
 * the extension; only the header-less N-MNIST {@code .bin} is recognised by its 5-byte record
 * structure), opens the matching reader, and picks a writer by output extension.
 */
public final class Recordings {
    private static final int SNIFF_BYTES = 4096;

    private Recordings() {}

    /** The format of the file, from its first bytes. */
    public static RecordingFormat detect(Path file) throws IOException {
        byte[] head;
        try (InputStream s = Files.newInputStream(file)) {
            head = s.readNBytes(SNIFF_BYTES);
        }
        if (head.length == 0) {
            throw new RecordingFormatException(file, 0, "empty file");
        }
        String text = new String(head, 0, Math.min(head.length, 16), StandardCharsets.ISO_8859_1);
        if (text.startsWith("#!AER-DAT4.0")) {
            return RecordingFormat.AEDAT4;
        }
        if (text.startsWith("#!AER-DAT3.1")) {
            return RecordingFormat.AEDAT31;
        }
        if (text.startsWith("#!AER-DAT2.0")) {
            return RecordingFormat.AEDAT2;
        }
        if (text.startsWith("#!AER-DAT")) {
            int eol = text.indexOf('\r') > 0 ? text.indexOf('\r') : text.length();
            throw new RecordingFormatException(file, 0, "unsupported AEDAT version '" + text.substring(0, eol) + "'");
        }
        if (head[0] == '%') {
            try (ChunkedInput in = new ChunkedInput(file, Files.newInputStream(file))) {
                return RawHeader.read(in).format();
            }
        }
        if (text.startsWith(CsvEventReader.HEADER)) {
            return RecordingFormat.CSV;
        }
        if (looksLikeNmnist(file, head)) {
            return RecordingFormat.NMNIST;
        }
        throw new RecordingFormatException(file, 0,
                "unknown recording format (no AEDAT/Prophesee header, no 't,x,y,p' line, not 5-byte N-MNIST records)");
    }

    /** N-MNIST has no header: accept whole 5-byte records whose y is at most 240 (the overflow marker). */
    private static boolean looksLikeNmnist(Path file, byte[] head) throws IOException {
        boolean named = file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".bin");
        if (!named && Files.size(file) % NmnistReader.EVENT_BYTES != 0) {
            return false;
        }
        for (int p = 0; p + NmnistReader.EVENT_BYTES <= head.length; p += NmnistReader.EVENT_BYTES) {
            if ((head[p + 1] & 0xFF) > NmnistReader.OVERFLOW_Y) {
                return false;
            }
        }
        return true;
    }

    /**
     * Reads a recording to its end only to find out whether it was cut short, and reports that as
     * a command does ({@link Truncation#report}): for commands whose reading happens elsewhere
     * (inside a Flink job, a data loader). Corruption fails as reading would.
     *
     * @return the truncation found, if any (already reported)
     * @throws RecordingFormatException for corruption, or for a truncation when {@code strict}
     */
    public static Optional<Truncation> check(Path file, boolean strict, PrintWriter err) throws IOException {
        Optional<Truncation> t;
        try (EventReader r = open(file)) {
            t = RecordingSummary.scan(r).truncation();
        }
        Truncation.report(t, strict, err);
        return t;
    }

    /** Opens a streaming reader for the file's detected format. */
    public static EventReader open(Path file) throws IOException {
        return switch (detect(file)) {
            case AEDAT2 -> new Aedat2Reader(file);
            case AEDAT31 -> new Aedat31Reader(file);
            case AEDAT4 -> new Aedat4Reader(file);
            case EVT2 -> new Evt2Reader(file);
            case EVT3 -> new Evt3Reader(file);
            case NMNIST -> new NmnistReader(file);
            case CSV -> new CsvEventReader(file);
        };
    }

    /**
     * The format written for an output name: {@code .aedat} AEDAT 3.1, {@code .aedat4} AEDAT 4.0
     * (LZ4), {@code .raw} EVT 2.0, {@code .bin} N-MNIST, {@code .csv} CSV.
     */
    public static Optional<RecordingFormat> formatForExtension(Path out) {
        String name = out.getFileName().toString().toLowerCase(Locale.ROOT);
        int dot = name.lastIndexOf('.');
        String ext = dot < 0 ? "" : name.substring(dot + 1);
        return Optional.ofNullable(switch (ext) {
            case "aedat" -> RecordingFormat.AEDAT31;
            case "aedat4" -> RecordingFormat.AEDAT4;
            case "raw" -> RecordingFormat.EVT2;
            case "bin" -> RecordingFormat.NMNIST;
            case "csv" -> RecordingFormat.CSV;
            default -> null;
        });
    }

    /**
     * A writer for {@code out} chosen by its extension (see {@link #formatForExtension}).
     *
     * @throws IllegalArgumentException for an extension with no writer
     */
    public static EventWriter writer(Path out, SensorGeometry g) throws IOException {
        RecordingFormat f = formatForExtension(out).orElseThrow(() -> new IllegalArgumentException(
                "no writer for '" + out.getFileName() + "': use .aedat, .aedat4, .raw, .bin or .csv"));
        return writer(out, f, g);
    }

    /** A writer of the given format. */
    public static EventWriter writer(Path out, RecordingFormat format, SensorGeometry g) throws IOException {
        var stream = Files.newOutputStream(out);
        try {
            return switch (format) {
                case AEDAT31 -> new Aedat31Writer(out, stream, g);
                case AEDAT4 -> new Aedat4Writer(out, stream, g);
                case EVT2 -> new Evt2Writer(out, stream, g);
                case NMNIST -> new NmnistWriter(out, stream, g);
                case CSV -> new CsvEventWriter(out, stream, g);
                case AEDAT2, EVT3 -> throw new IllegalArgumentException("no writer for " + format.id());
            };
        } catch (IOException | RuntimeException e) {
            stream.close();
            throw e;
        }
    }
}
