package io.archipelago.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code archipelago} command line. */
@Command(name = "archipelago", mixinStandardHelpOptions = true, version = "archipelago 0.1.0",
        description = "Archipelago: placement engine, simulator and planner for a multi-region GPU cloud.",
        subcommands = {ExperimentCommand.class, SimulateCommand.class, PlanCommand.class, TraceCommand.class, BenchCommand.class, ServeCommand.class, LoadGenCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code (for tests). */
    public static int run(String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            cmd.getErr().println("error: " + (ex.getMessage() == null ? ex.toString() : ex.getMessage()));
            if (System.getenv("ARCHIPELAGO_DEBUG") != null) {
                ex.printStackTrace(cmd.getErr());
            }
            return 1;
        });
        return cl.execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** True when progress bars make sense: a terminal, and not CI. */
    static boolean interactive() {
        return System.console() != null && System.getenv("CI") == null;
    }
}
