package io.spikestream.connectors.kafka;

/**
 * An {@code EventPacket} whose columns do not describe valid events (inconsistent lengths, a count
 * out of bounds, coordinates outside the declared sensor); the message names the packet by sensor
 * and sequence number.
 */
public final class InvalidEventPacketException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final String sensorId;
    private final long sequence;
    private final String problem;

    public InvalidEventPacketException(String sensorId, long sequence, String problem) {
        super(describe(sensorId, sequence) + ": " + problem);
        this.sensorId = sensorId;
        this.sequence = sequence;
        this.problem = problem;
    }

    static String describe(String sensorId, long sequence) {
        return "EventPacket of sensor '" + sensorId + "' sequence " + sequence;
    }

    public String sensorId() {
        return sensorId;
    }

    public long sequence() {
        return sequence;
    }

    /** What was wrong, without the packet's name. */
    public String problem() {
        return problem;
    }
}
