package io.spikestream.connectors.recording;

import io.spikestream.connectors.event.SensorGeometry;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The stream list of an AEDAT 4.0 IOHeader's {@code infoNode} XML: one {@code <node name="ID">}
 * per output stream, with its {@code typeIdentifier} (EVTS for polarity events) and, in its
 * {@code info} child, the sensor size {@code sizeX}/{@code sizeY}.
 */
record Aedat4Streams(List<Stream> streams) {
    record Stream(int id, String type, Optional<SensorGeometry> geometry) {}

    private static final Pattern STREAM_NODE = Pattern.compile("<node name=\"(\\d+)\" path=\"[^\"]*/(\\d+)/\">");
    private static final Pattern TYPE = Pattern.compile("<attr key=\"typeIdentifier\" type=\"string\">([^<]*)</attr>");
    private static final Pattern SIZE_X = Pattern.compile("<attr key=\"sizeX\" type=\"int\">(\\d+)</attr>");
    private static final Pattern SIZE_Y = Pattern.compile("<attr key=\"sizeY\" type=\"int\">(\\d+)</attr>");

    static Aedat4Streams parse(String xml) {
        List<Stream> out = new ArrayList<>();
        Matcher m = STREAM_NODE.matcher(xml);
        List<int[]> starts = new ArrayList<>();
        while (m.find()) {
            starts.add(new int[] {m.start(), Integer.parseInt(m.group(1))});
        }
        for (int i = 0; i < starts.size(); i++) {
            int from = starts.get(i)[0];
            int to = i + 1 < starts.size() ? starts.get(i + 1)[0] : xml.length();
            String node = xml.substring(from, to);
            Matcher t = TYPE.matcher(node);
            String type = t.find() ? t.group(1) : "";
            Matcher x = SIZE_X.matcher(node);
            Matcher y = SIZE_Y.matcher(node);
            Optional<SensorGeometry> g = Optional.empty();
            if (x.find() && y.find()) {
                g = Optional.of(new SensorGeometry(Integer.parseInt(x.group(1)), Integer.parseInt(y.group(1))));
            }
            out.add(new Stream(starts.get(i)[1], type, g));
        }
        return new Aedat4Streams(List.copyOf(out));
    }

    /** The first stream of polarity events (type identifier EVTS). */
    Optional<Stream> events() {
        return streams.stream().filter(s -> s.type().equals("EVTS")).findFirst();
    }
}
