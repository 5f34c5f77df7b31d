package io.spikestream.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code spikestream} command line: one subcommand per task (inspect, convert and replay
 * recordings; run, classify and benchmark the model and the streaming job).
 *
 * <p>Usage errors (unknown options, bad values) print one line and exit with {@link #USAGE}; a
 * command that fails at run time prints its message and exits with {@link #FAILURE}.
 */
@Command(
        name = "spikestream",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Streaming event-camera classification with MS-ResNet on Apache Flink.",
        subcommands = {
            CommandLine.HelpCommand.class,
            SynthCommand.class,
            ReplayCommand.class,
            InfoCommand.class,
            ConvertCommand.class,
            RenderCommand.class,
            InferCommand.class,
            BenchCommand.class,
            RunCommand.class,
            WatchCommand.class,
            ClassifyCommand.class,
            DemoCommand.class,
            TrainCommand.class,
            EvaluateCommand.class,
            GradCommand.class,
            GradNormCommand.class,
        })
public final class Main implements Runnable {
    public static final int OK = 0;
    public static final int FAILURE = 1;
    public static final int USAGE = 2;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        // no command opens a window; evaluate draws its PNG off screen, which must work without a display.
        // Set before anything touches AWT (the tests set it for their JVM in pom.xml)
        System.setProperty("java.awt.headless", "true");
        System.exit(execute(args));
    }

    /** Runs the command line and returns the exit code (without exiting, for tests). */
    public static int execute(String... args) {
        return commandLine().execute(args);
    }

    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setParameterExceptionHandler(Main::usageError);
        cl.setExecutionExceptionHandler(Main::failure);
        return cl;
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    private static int usageError(CommandLine.ParameterException e, String[] args) {
        CommandLine cl = e.getCommandLine();
        PrintWriter err = cl.getErr();
        // a misspelt option echoes its argument, which may be a Kafka secret (--kafka-property sasl.jaas.config=...)
        String message = io.spikestream.connectors.kafka.KafkaClientSettings.scrub(
                e.getMessage() == null ? e.toString() : e.getMessage().replace('\n', ' '));
        err.println(cl.getCommandSpec().qualifiedName() + ": " + message
                + " (see '" + cl.getCommandSpec().qualifiedName() + " --help')");
        err.flush();
        return USAGE;
    }

    private static int failure(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
        PrintWriter err = cl.getErr();
        if (e instanceof CommandLine.ParameterException pe) {
            return usageError(pe, new String[0]);
        }
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        err.println(cl.getCommandSpec().qualifiedName() + ": " + message);
        if (Boolean.getBoolean("spikestream.debug")) {
            e.printStackTrace(err);
        }
        err.flush();
        return FAILURE;
    }

    /** Reads the version from the jar manifest, if packaged. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"spikestream " + (v == null ? "dev" : v)};
        }
    }
}
