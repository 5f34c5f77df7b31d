package io.spikestream.cli;

import io.spikestream.connectors.kafka.KafkaClientSettings;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * {@code --kafka-config FILE} and repeatable {@code --kafka-property KEY=VALUE}: the Kafka client
 * settings (security, tuning) of every Kafka client a command creates. One mixin so that every
 * command that talks to Kafka accepts the same options with the same meaning. Neither option has a
 * default, so {@code --help} never shows a value.
 */
public final class KafkaOptions {
    @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--kafka-config", paramLabel = "FILE", description = {
            "Kafka client settings as Java properties (security.protocol, sasl.mechanism, sasl.jaas.config, ssl.*, ...),",
            "applied to every Kafka client of this command. Keep secrets here: command lines are visible to others."})
    Path config;

    @Option(names = "--kafka-property", paramLabel = "KEY=VALUE",
            description = "one Kafka client setting, over --kafka-config's; repeatable")
    List<String> properties;

    private KafkaClientSettings settings;

    /** The settings (read once); a file that cannot be read or a malformed KEY=VALUE is a usage error. */
    public KafkaClientSettings settings() {
        if (settings == null) {
            try {
                settings = KafkaClientSettings.load(config, properties);
            } catch (IOException | IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
        }
        return settings;
    }
}
