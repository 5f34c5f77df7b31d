package io.spikestream.connectors.recording;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A recording that ends early: the file stops inside a header, an event record, a packet or a
 * compressed block (a camera unplugged, a recorder killed, a copy interrupted). Readers deliver
 * every complete event before the cut, then end and expose this through
 * {@link EventReader#truncation()}, so that a damaged tail does not cost the user the whole
 * recording. Corruption before the end (impossible sizes, a wrong magic number, a block that does
 * not decompress) is still a {@link RecordingFormatException}, whatever the caller wants.
 *
 * <p>Commands report it with {@link #report}: one warning line, or under {@code --strict} the
 * error that reading used to throw ({@link #toException()}).
 *
 * @param file the recording
 * @param atByte file offset of the first byte of the unit that was cut (header line, record,
 *     packet header or packet payload): the complete data ends there
 * @param eventsLost events that the cut unit announced or held and that could not be read; 0 when
 *     it held none (e.g. a cut IMU packet); null when the file does not say (a partial word, a
 *     packet header cut before its event count). Events of units after the cut are unknowable.
 * @param reason what was cut, in the words of the error it used to be
 */
public record Truncation(Path file, long atByte, Long eventsLost, String reason) {

    /** The description of every command's {@code --strict} option (a constant, for annotations). */
    public static final String STRICT_HELP =
            "a recording cut short (ends inside a header, record, packet or compressed block) is an error (exit 1) instead of a warning";

    /** The error reading a cut recording used to throw, as {@code --strict} restores it. */
    public RecordingFormatException toException() {
        return new RecordingFormatException(file, atByte, reason);
    }

    /** One line with the same facts as {@link #toJson()}, for standard error. */
    public String warning() {
        return "warning: " + file + " is truncated at byte " + atByte + ": " + reason + "; events lost: "
                + (eventsLost == null ? "unknown" : eventsLost.toString())
                + "; every complete event before the cut was read (--strict makes this an error)";
    }

    /** {@code {"at_byte": N, "events_lost": M or null, "reason": "..."}}, in this order. */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("at_byte", atByte);
        m.put("events_lost", eventsLost);
        m.put("reason", reason);
        return m;
    }

    /**
     * What a command does with a recording it has read to the end: nothing when it is whole, the
     * {@link #warning()} line on {@code err} when it was cut short, or, when {@code strict}, the
     * {@link #toException()} error (which the command line turns into exit 1).
     */
    public static void report(Optional<Truncation> truncation, boolean strict, PrintWriter err)
            throws RecordingFormatException {
        if (truncation.isEmpty()) {
            return;
        }
        if (strict) {
            throw truncation.get().toException();
        }
        err.println(truncation.get().warning());
        err.flush();
    }
}
