package io.spikestream.connectors.recording;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The human-readable header lines that start AEDAT ({@code #}) and Prophesee RAW ({@code %}) files:
 * consecutive lines beginning with the prefix, optionally closed by an end line.
 *
 * @param lines the lines without prefix handling, line ending removed
 * @param bytes the header's length in bytes (the payload starts there)
 */
record TextHeader(List<String> lines, long bytes) {
    /** Headers with jAER preference dumps reach a few hundred KiB; beyond this the file is not a header. */
    static final int MAX_HEADER_BYTES = 16 << 20;

    /**
     * Reads header lines starting with {@code prefix} until a line equal to {@code endLine} (which
     * is included) or until a line that does not start with the prefix (which is not consumed).
     */
    static TextHeader read(ChunkedInput in, byte prefix, String endLine) throws IOException {
        List<String> lines = new ArrayList<>();
        long start = in.offset();
        while (in.fill(1) > 0 && in.buf[in.pos] == prefix) {
            int eol = findNewline(in);
            if (eol < 0) {
                throw in.error(in.offset(), "header line longer than " + in.capacity() + " bytes or not terminated");
            }
            int end = eol > in.pos && in.buf[eol - 1] == '\r' ? eol - 1 : eol;
            String line = new String(in.buf, in.pos, end - in.pos, StandardCharsets.ISO_8859_1);
            in.pos = eol + 1;
            lines.add(line);
            if (in.offset() - start > MAX_HEADER_BYTES) {
                throw in.error(start, "header longer than " + MAX_HEADER_BYTES + " bytes");
            }
            if (line.equals(endLine)) {
                break;
            }
        }
        return new TextHeader(List.copyOf(lines), in.offset() - start);
    }

    private static int findNewline(ChunkedInput in) throws IOException {
        int scanned = in.pos;
        while (true) {
            for (int i = scanned; i < in.limit; i++) {
                if (in.buf[i] == '\n') {
                    return i;
                }
            }
            // everything available was scanned: slide the window and scan only the new bytes
            int had = in.available();
            if (had == in.capacity() || in.fill(had + 1) == had) {
                return -1;
            }
            scanned = in.pos + had;
        }
    }

    /** The value after {@code key} on the first line that starts with {@code key}, trimmed. */
    Optional<String> value(String key) {
        for (String l : lines) {
            if (l.startsWith(key)) {
                return Optional.of(l.substring(key.length()).trim());
            }
        }
        return Optional.empty();
    }
}
