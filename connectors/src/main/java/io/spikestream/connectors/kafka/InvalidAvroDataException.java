package io.spikestream.connectors.kafka;

/** Bytes that are not one well-formed Avro record of the expected schema; the message says where and why. */
public final class InvalidAvroDataException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public InvalidAvroDataException(String message) {
        super(message);
    }
}
