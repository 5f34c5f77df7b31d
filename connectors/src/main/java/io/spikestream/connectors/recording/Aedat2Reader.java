package io.spikestream.connectors.recording;

import io.spikestream.connectors.event.EventBatch;
import io.spikestream.connectors.event.SensorGeometry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * AEDAT 2.0 (jAER): {@code #} header lines starting with {@code #!AER-DAT2.0}, then 8-byte
 * big-endian events (int32 address, int32 timestamp in µs). The address layout depends on the
 * jAER chip class named in the header ({@code # AEChip:} / {@code # HardwareInterface:}); without
 * a known DAVIS name the classic DVS128 layout is assumed.
 *
 * <ul>
 *   <li>DVS128: bit 0 polarity (0 = ON, as jAER's DVS128 extractor flips the type), bits 1..7 x,
 *       bits 8..14 y, bit 15 external event.
 *   <li>DAVIS240/346/640: bit 31 set = APS/IMU sample (not a DVS event), bits 22..30 y, 12..21 x,
 *       bit 11 polarity (1 = ON), bit 10 external event.
 * </ul>
 *
 * The chips send x mirrored, which jAER's extractors undo ({@code x = width - 1 - x}), and jAER
 * puts (0, 0) in the lower-left corner, so y is flipped too ({@code y = height - 1 - y}): events
 * come out with the top-left origin of AEDAT 3.1/4, as jAER would display them. External events and APS/IMU samples are not DVS events and are
 * counted in {@link #ignoredWords()}. The 32-bit timestamp is read unsigned; a fall of more than
 * 2^31 µs is a wrap and extends time to 64 bits. Events outside the sensor are skipped and counted.
 */
public final class Aedat2Reader extends AbstractEventReader {
    static final String VERSION_LINE = "#!AER-DAT2.0";
    static final int EVENT_BYTES = 8;

    private final boolean davis;
    private long epoch;
    private long lastRaw = -1;
    private long ignoredWords;

    public Aedat2Reader(Path file) throws IOException {
        this(file, Files.newInputStream(file));
    }

    /** Reads from any stream (e.g. memory); {@code name} appears in error messages. */
    public Aedat2Reader(Path name, InputStream stream) throws IOException {
        super(new ChunkedInput(name, stream));
        try {
            TextHeader h = TextHeader.read(in, (byte) '#', null);
            if (!h.first().equals(VERSION_LINE) && !(h.lines().isEmpty() && cutMagic(h, VERSION_LINE))) {
                throw in.error(0, "wrong magic: not '" + VERSION_LINE + "'");
            }
            SensorGeometry g = null;
            for (String line : h.lines()) {
                if (line.contains("AEChip") || line.contains("HardwareInterface")) {
                    Optional<SensorGeometry> known = KnownSensors.inivation(line);
                    if (known.isPresent()) {
                        g = known.get();
                        break;
                    }
                }
            }
            if (h.partial() != null) {
                truncation = headerCut(h, g == null ? "no chip named yet: DVS128 assumed" : null);
            }
            geometry = g == null ? KnownSensors.DVS128 : g;
            davis = !geometry.equals(KnownSensors.DVS128);
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
    }

    @Override
    public RecordingFormat format() {
        return RecordingFormat.AEDAT2;
    }

    @Override
    public boolean read(EventBatch batch, int maxEvents) throws IOException {
        maxEvents = checkMax(maxEvents);
        batch.clear();
        batch.ensureCapacity(maxEvents);
        final int width = geometry.width();
        final int height = geometry.height();
        int n = 0;
        while (n < maxEvents && !cut()) {
            int avail;
            try {
                avail = in.availableRecords(EVENT_BYTES, "AEDAT 2.0 event");
            } catch (TruncatedInput e) {
                truncation = e.truncation(lostInPartialEvent());
                break;
            }
            if (avail == 0) {
                break;
            }
            byte[] b = in.buf;
            int p = in.pos;
            int end = p + EVENT_BYTES * Math.min(avail / EVENT_BYTES, maxEvents - n);
            for (; p < end; p += EVENT_BYTES) {
                int addr = LittleEndian.beI32(b, p);
                long raw = LittleEndian.beI32(b, p + 4) & 0xFFFFFFFFL;
                if (raw < lastRaw && lastRaw - raw > (1L << 31)) {
                    epoch += 1L << 32;
                }
                lastRaw = raw;
                int x;
                int y;
                int pol;
                if (davis) {
                    if (addr < 0 || (addr & (1 << 10)) != 0) {
                        ignoredWords++;
                        continue;
                    }
                    y = (addr >>> 22) & 0x1FF;
                    x = (addr >>> 12) & 0x3FF;
                    pol = (addr >>> 11) & 1;
                } else {
                    if ((addr & (1 << 15)) != 0) {
                        ignoredWords++;
                        continue;
                    }
                    y = (addr >>> 8) & 0x7F;
                    x = (addr >>> 1) & 0x7F;
                    pol = ~addr & 1;
                }
                if (x >= width || y >= height) {
                    skipped++;
                    continue;
                }
                batch.add(epoch + raw, width - 1 - x, height - 1 - y, pol);
                n++;
            }
            in.pos = p;
        }
        return n > 0;
    }

    /** 1 when the cut record's address is a DVS event's, 0 when not, null when it is cut too. */
    private Long lostInPartialEvent() {
        if (in.available() < 4) {
            return null;
        }
        int addr = LittleEndian.beI32(in.buf, in.pos);
        boolean notDvs = davis ? addr < 0 || (addr & (1 << 10)) != 0 : (addr & (1 << 15)) != 0;
        return notDvs ? 0L : 1L;
    }

    /** Address words that were not DVS events (external events, APS and IMU samples). */
    public long ignoredWords() {
        return ignoredWords;
    }
}
