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
 * @param lines the complete lines without prefix handling, line ending removed
 * @param bytes the header's length in bytes (the payload starts there)
 * @param partial the last line when the file ends inside it (not in {@code lines}: a cut line
 *     may say something else than the whole one, e.g. a shorter width), else null
 * @param partialAt file offset of {@code partial}, -1 without one
 */
record TextHeader(List<String> lines, long bytes, String partial, long partialAt) {
    /** Headers with jAER preference dumps reach a few hundred KiB; beyond this the file is not a header. */
    static final int MAX_HEADER_BYTES = 16 << 20;

    /**
     * Reads header lines starting with {@code prefix} until a line equal to {@code endLine} (which
     * is included) or until a line that does not start with the prefix or is not text (which is
     * not consumed).
     */
    static TextHeader read(ChunkedInput in, byte prefix, String endLine) throws IOException {
        List<String> lines = new ArrayList<>();
        long start = in.offset();
        String partial = null;
        long partialAt = -1;
        while (in.fill(1) > 0 && in.buf[in.pos] == prefix) {
            int eol = lineEnd(in);
            if (eol == BINARY) {
                // binary data that happens to start with the prefix byte (headers without an end
                // line, e.g. Prophesee files whose first word's low byte is '%'): payload, not header
                break;
            }
            int end = eol > in.pos && in.buf[eol - 1] == '\r' ? eol - 1 : eol;
            String line = new String(in.buf, in.pos, end - in.pos, StandardCharsets.ISO_8859_1);
            if (eol == in.limit) {
                // no newline: the file ends inside this line
                partial = line;
                partialAt = in.offset();
                in.pos = in.limit;
                break;
            }
            in.pos = eol + 1;
            lines.add(line);
            if (in.offset() - start > MAX_HEADER_BYTES) {
                throw in.error(start, "header longer than " + MAX_HEADER_BYTES + " bytes");
            }
            if (line.equals(endLine)) {
                break;
            }
        }
        return new TextHeader(List.copyOf(lines), in.offset() - start, partial, partialAt);
    }

    /** The first line, complete or not (for the magic check of a file cut inside it); "" if none. */
    String first() {
        return !lines.isEmpty() ? lines.get(0) : partial != null ? partial : "";
    }

    private static final int BINARY = -1;

    /**
     * The index of the newline ending the line at {@code in.pos} (the window's end if the file ends
     * first), or {@link #BINARY} when a control character other than tab and CR comes first:
     * header lines are text.
     */
    private static int lineEnd(ChunkedInput in) throws IOException {
        int scanned = in.pos;
        while (true) {
            for (int i = scanned; i < in.limit; i++) {
                int c = in.buf[i] & 0xFF;
                if (c == '\n') {
                    return i;
                }
                if (c < 0x20 && c != '\t' && c != '\r' || c == 0x7F) {
                    return BINARY;
                }
            }
            // everything available was scanned: slide the window and scan only the new bytes
            int had = in.available();
            if (had == in.capacity()) {
                throw in.error(in.offset(), "header line longer than " + in.capacity() + " bytes");
            }
            if (in.fill(had + 1) == had) {
                return in.limit;
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
