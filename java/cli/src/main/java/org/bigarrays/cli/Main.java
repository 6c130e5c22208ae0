package org.bigarrays.cli;

import java.io.PrintWriter;
import org.bigarrays.BigArraysException;
import org.bigarrays.CorruptChunkException;
import org.bigarrays.FormatException;
import org.bigarrays.InvalidInputException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code bigarrays} command. Exit codes: 0 ok, 1 runtime failure (storage, corrupt chunk, out
 * of memory, a bug), 2 bad usage or input (arguments, boxes, files, a layer whose info is invalid).
 * Errors are printed on one line; {@code --debug} adds the stack trace and debug logs. Killed by
 * SIGINT or SIGTERM it exits 130 or 143 (the JVM's own codes) after deleting its temp files.
 */
@Command(name = "bigarrays", mixinStandardHelpOptions = true, versionProvider = VersionCommand.Provider.class,
        description = "Store and cut out huge N-d arrays in the Neuroglancer precomputed format.",
        subcommands = {InfoCommand.class, CreateCommand.class, CutoutCommand.class, WriteCommand.class,
                DemoCommand.class, TranscodeCommand.class, DownsampleCommand.class, VerifyCommand.class, ServeCommand.class, ViewCommand.class, IngestCommand.class, VersionCommand.class})
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
        // On SIGINT/SIGTERM the JVM runs the hooks and exits 130/143: delete the temp files of the
        // writes and cutout in flight, which would otherwise stay until the next write there.
        Runtime.getRuntime().addShutdownHook(new Thread(Main::removeOwnTemporaries, "bigarrays-cleanup"));
        System.exit(run(args));
    }

    private static void removeOwnTemporaries() {
        org.bigarrays.kvstore.FileStore.removeOwnTemporaries();
    }

    /** Run the CLI and return its exit code; tests call it in-process or in a subprocess via main. */
    static int run(String[] args) {
        boolean debug = java.util.Arrays.asList(args).contains("--debug");
        configureLogging(debug);
        java.util.concurrent.Callable<Integer> fast = FastPath.parse(args);
        if (fast != null) {
            // A plain cutout or info: picocli's model costs more than the command (see FastPath).
            try {
                return fast.call();
            } catch (Throwable t) {
                return report(t, debug, new PrintWriter(System.err, true));
            }
        }
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> report(ex, debug, cmd.getErr()));
        cl.setParameterExceptionHandler((ex, a) -> {
            PrintWriter err = ex.getCommandLine().getErr();
            if (debug) ex.printStackTrace(err);
            String name = ex.getCommandLine().getCommandName();
            err.println("bigarrays: usage error: " + oneLine(ex.getMessage()) + " (try 'bigarrays "
                    + (name.equals("bigarrays") ? "" : name + " ") + "--help')");
            err.flush();
            return BAD_INPUT;
        });
        try {
            return cl.execute(args);
        } catch (Throwable t) {
            // picocli hands only Exceptions to the handler: Errors (OutOfMemoryError,
            // StackOverflowError, ...) come out here and still get one line and an exit code.
            return report(t, debug, new PrintWriter(System.err, true));
        }
    }

    /** Print {@code t} as one line (plus the trace with --debug) and return its exit code. */
    static int report(Throwable t, boolean debug, PrintWriter err) {
        if (debug) t.printStackTrace(err);
        err.println("bigarrays: error: " + message(t));
        err.flush();
        return exitCode(t);
    }

    /** 2 for bad input (including an invalid info, which no retry will fix), else 1. */
    static int exitCode(Throwable t) {
        if (t instanceof InvalidInputException) return BAD_INPUT;
        if (t instanceof FormatException && !(t instanceof CorruptChunkException)) return BAD_INPUT;
        return FAILURE;
    }

    /** The one-line message for {@code ex}. */
    static String message(Throwable ex) {
        if (ex instanceof OutOfMemoryError) {
            return "out of memory (" + oneLine(ex.getMessage()) + "): try a smaller box, fewer --threads, or more memory (BIGARRAYS_JAVA_OPTS=-Xmx...)";
        }
        if (ex instanceof StackOverflowError) return "stack overflow (a bug: run with --debug and report it)";
        String m;
        if (ex instanceof BigArraysException || ex.getMessage() != null && !(ex instanceof NullPointerException)) {
            m = ex.getMessage();
            if (!(ex instanceof BigArraysException) && !(ex instanceof java.io.IOException)) m = ex.getClass().getSimpleName() + ": " + m;
        } else {
            m = ex.toString();
        }
        return oneLine(m);
    }

    /** {@code s} with line breaks turned into spaces, so that every error is one line. */
    static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s*[\\r\\n]+\\s*", " ").trim();
    }

    private static void configureLogging(boolean debug) {
        System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", debug ? "debug" : "warn");
        System.setProperty("org.slf4j.simpleLogger.showThreadName", "false");
        System.setProperty("org.slf4j.simpleLogger.levelInBrackets", "true");
    }
}
