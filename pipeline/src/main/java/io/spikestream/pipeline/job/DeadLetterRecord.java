package io.spikestream.pipeline.job;

/**
 * Input the job set aside (undecodable record, late or out-of-bounds events), on its way to the
 * dead-letter topic as an Avro {@code DeadLetter}. A Flink POJO.
 */
public class DeadLetterRecord {
    public String source;
    public int partition;
    public long offset;
    public String reason;
    public byte[] payload;
    public long timeMs;

    public DeadLetterRecord() {
    }

    public DeadLetterRecord(String source, int partition, long offset, String reason, byte[] payload, long timeMs) {
        this.source = source;
        this.partition = partition;
        this.offset = offset;
        this.reason = reason;
        this.payload = payload;
        this.timeMs = timeMs;
    }

    @Override
    public String toString() {
        return "DeadLetter[" + source + ":" + partition + "@" + offset + ": " + reason + "]";
    }
}
