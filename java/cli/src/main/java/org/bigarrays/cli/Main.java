package org.bigarrays.cli;

import java.io.PrintWriter;
import org.bigarrays.BigArraysException;
import org.bigarrays.InvalidInputException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code bigarrays} command. Exit codes: 0 ok, 1 runtime failure, 2 bad usage or input.
 * Errors are printed on one line; {@code --debug} adds the stack trace and debug logs.
 */
@Command(name = "bigarrays", mixinStandardHelpOptions = true, versionProvider = VersionCommand.Provider.class,
        description = "Store and cut out huge N-d arrays in the Neuroglancer precomputed format.",
        subcommands = {InfoCommand.class, CreateCommand.class, CutoutCommand.class, WriteCommand.class,
                DemoCommand.class, TranscodeCommand.class, VersionCommand.class})
public final class Main implements Runnable {
    static final int OK = 0;
    static final int FAILURE = 1;
    static final int BAD_INPUT = 2;

    @Option(names = "--debug", description = "Print stack traces and debug logs.", scope = CommandLine.ScopeType.INHERIT)
    boolean debug;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(new CommandLine(this), "missing command: try 'bigarrays --help'");
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Run the CLI and return its exit code (tests call this in a subprocess via main). */
    static int run(String[] args) {
        boolean debug = java.util.Arrays.asList(args).contains("--debug");
        configureLogging(debug);
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            PrintWriter err = cmd.getErr();
            if (debug) ex.printStackTrace(err);
            err.println("bigarrays: error: " + message(ex));
            err.flush();
            return ex instanceof InvalidInputException ? BAD_INPUT : FAILURE;
        });
        cl.setParameterExceptionHandler((ex, a) -> {
            PrintWriter err = ex.getCommandLine().getErr();
            err.println("bigarrays: usage error: " + ex.getMessage());
            err.println("try 'bigarrays " + (ex.getCommandLine().getCommandName().equals("bigarrays") ? "" : ex.getCommandLine().getCommandName() + " ") + "--help'");
            err.flush();
            return BAD_INPUT;
        });
        return cl.execute(args);
    }

    private static String message(Throwable ex) {
        if (ex instanceof BigArraysException || ex.getMessage() != null && !(ex instanceof NullPointerException)) {
            return ex.getMessage();
        }
        return ex.toString();
    }

    private static void configureLogging(boolean debug) {
        System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", debug ? "debug" : "warn");
        System.setProperty("org.slf4j.simpleLogger.showThreadName", "false");
        System.setProperty("org.slf4j.simpleLogger.levelInBrackets", "true");
    }
}
