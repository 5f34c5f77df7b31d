package io.spikestream.connectors.recording;

/** The recording formats spikestream reads; writers exist for those with {@code writable}. */
public enum RecordingFormat {
    AEDAT2("aedat2", false),
    AEDAT31("aedat3.1", true),
    AEDAT4("aedat4", true),
    EVT2("evt2", true),
    EVT3("evt3", false),
    NMNIST("nmnist", true),
    CSV("csv", true);

    private final String id;
    private final boolean writable;

    RecordingFormat(String id, boolean writable) {
        this.id = id;
        this.writable = writable;
    }

    /** The name printed by {@code spikestream info}. */
    public String id() {
        return id;
    }

    public boolean writable() {
        return writable;
    }
}
