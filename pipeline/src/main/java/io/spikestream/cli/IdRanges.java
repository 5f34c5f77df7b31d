package io.spikestream.cli;

import io.spikestream.connectors.recording.gesture.GestureSplit;
import io.spikestream.connectors.synth.Gesture;
import java.util.List;
import java.util.TreeSet;
import picocli.CommandLine;

/**
 * Option values of the DVS128 Gesture user and class ids, written as ranges and lists
 * ({@code 1-23}, {@code 1-3,7}): {@code synth --users/--classes}, {@code train
 * --train-users/--test-users} and {@code evaluate --users} parse them the same way.
 */
final class IdRanges {
    private IdRanges() {}

    /** Sorted distinct ids parsed from ranges and lists such as {@code 1-3,7}. */
    record IdList(List<Integer> ids) {}

    /** Parses users {@code 1-29}, {@code 1-3,7}: sorted, without repeats, each in 1..29 as in the dataset layout. */
    static final class Users implements CommandLine.ITypeConverter<IdList> {
        @Override
        public IdList convert(String text) {
            return new IdList(ranges(text, GestureSplit.LAST_USER, "user"));
        }
    }

    /** Parses gesture class ids like {@code 4-7} or {@code 1,9}, each in 1..11. */
    static final class Classes implements CommandLine.ITypeConverter<IdList> {
        @Override
        public IdList convert(String text) {
            return new IdList(ranges(text, Gesture.values().length, "class"));
        }
    }

    static List<Integer> ranges(String text, int max, String what) {
        TreeSet<Integer> ids = new TreeSet<>();
        for (String part : text.split(",", -1)) {
            String p = part.strip();
            int dash = p.indexOf('-');
            int from = number(dash < 0 ? p : p.substring(0, dash), text, max, what);
            int to = dash < 0 ? from : number(p.substring(dash + 1), text, max, what);
            if (to < from) {
                throw new CommandLine.TypeConversionException("range '" + p + "' in '" + text + "' runs backwards");
            }
            for (int id = from; id <= to; id++) {
                ids.add(id);
            }
        }
        return List.copyOf(ids);
    }

    private static int number(String s, String text, int max, String what) {
        String t = s.strip();
        if (!t.matches("[0-9]{1,3}")) {
            throw new CommandLine.TypeConversionException("'" + text + "' is not a list of numbers or ranges like 1-29 or 1-3,7");
        }
        int n = Integer.parseInt(t);
        if (n < 1 || n > max) {
            throw new CommandLine.TypeConversionException(what + " " + n + " in '" + text + "' outside 1.." + max);
        }
        return n;
    }
}
